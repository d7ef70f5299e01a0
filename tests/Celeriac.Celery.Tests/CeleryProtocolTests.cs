using System.Text;
using System.Text.Json.Nodes;
using Celeriac.Celery.Protocol;

namespace Celeriac.Celery.Tests;

/// <summary>Celery's message protocol as documented ("Message Protocol", version 2 and version 1): reading, writing, refusing.</summary>
public sealed class CeleryProtocolTests
{
    private static KombuMessage Kombu(string contentType, string body, JsonObject headers, string? bodyEncoding = "base64") => KombuMessage.Parse(Encoding.UTF8.GetBytes(new JsonObject
    {
        ["body"] = bodyEncoding == "base64" ? Convert.ToBase64String(Encoding.UTF8.GetBytes(body)) : body,
        ["content-type"] = contentType,
        ["content-encoding"] = "utf-8",
        ["headers"] = headers,
        ["properties"] = new JsonObject { ["body_encoding"] = bodyEncoding, ["delivery_tag"] = "tag-1", ["priority"] = 4 },
    }.ToJsonString()));

    [Fact]
    public void A_protocol_2_message_is_read_from_its_headers_and_its_body()
    {
        var headers = new JsonObject
        {
            ["lang"] = "py", ["task"] = "proj.add", ["id"] = "t-1", ["retries"] = 2, ["eta"] = "2026-01-02T03:04:05.123456+01:00",
            ["expires"] = null, ["timelimit"] = new JsonArray(30, 10.5), ["root_id"] = "r-1", ["parent_id"] = "p-1", ["group"] = "g-1",
            ["group_index"] = 3, ["custom"] = "kept",
        };
        var body = """[[1, 2], {"z": true}, {"callbacks": [{"task": "cb", "args": [], "kwargs": {}, "options": {}, "subtask_type": null, "immutable": false}], "errbacks": null, "chain": [{"task": "next"}], "chord": null}]""";

        var message = CeleryTaskMessage.Decode(Kombu("application/json", body, headers));

        Assert.Equal(("proj.add", "t-1", 2, 2), (message.Task, message.Id, message.Version, message.Retries));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 2, 4, 5, TimeSpan.Zero).AddTicks(1_234_560), message.Eta);
        Assert.Null(message.Expires);
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10.5)), (message.TimeLimit!.Value, message.SoftTimeLimit!.Value));
        Assert.Equal(("r-1", "p-1", "g-1", 3), (message.RootId!, message.ParentId!, message.Group!, message.GroupIndex!.Value));
        Assert.Equal("[1,2]", message.Args.ToJsonString());
        Assert.True(message.Kwargs["z"]!.GetValue<bool>());
        Assert.Equal("cb", Assert.Single(message.Callbacks!)!["task"]!.GetValue<string>());
        Assert.Equal("next", Assert.Single(message.Chain!)!["task"]!.GetValue<string>());
        Assert.Equal(4, message.Priority);
    }

    [Fact]
    public void What_Celeriac_writes_reads_back_the_same()
    {
        var sent = new CeleryTaskMessage
        {
            Id = "t-2", Task = "proj.mul", Args = [3, "x"], Kwargs = new JsonObject { ["n"] = 1 }, Retries = 1,
            Eta = new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero), Expires = new DateTimeOffset(2030, 5, 7, 0, 0, 0, TimeSpan.Zero),
            TimeLimit = TimeSpan.FromSeconds(60), RootId = "r", ParentId = "p", Group = "g", GroupIndex = 0, IgnoreResult = true,
            Callbacks = [new JsonObject { ["task"] = "cb" }], Errbacks = [new JsonObject { ["task"] = "eb" }],
            Chain = [new JsonObject { ["task"] = "last" }], Chord = new JsonObject { ["task"] = "body" }, Priority = 6,
        };

        var kombu = sent.Encode("work");
        var read = CeleryTaskMessage.Decode(KombuMessage.Parse(kombu.ToBytes()));

        Assert.Equal("2030-05-06T07:08:09+00:00", kombu.Headers["eta"]!.GetValue<string>());
        Assert.Equal(("", "work"), (kombu.Exchange, kombu.RoutingKey));
        Assert.Equal("base64", kombu.Properties["body_encoding"]!.GetValue<string>());
        Assert.Equal((sent.Id, sent.Task, sent.Retries, sent.Eta, sent.Expires, sent.TimeLimit), (read.Id, read.Task, read.Retries, read.Eta, read.Expires, read.TimeLimit));
        Assert.Null(read.SoftTimeLimit);
        Assert.Equal((sent.RootId, sent.ParentId, sent.Group, sent.GroupIndex, sent.IgnoreResult, sent.Priority), (read.RootId, read.ParentId, read.Group, read.GroupIndex, read.IgnoreResult, read.Priority));
        Assert.Equal(sent.Args.ToJsonString(), read.Args.ToJsonString());
        Assert.Equal(sent.Kwargs.ToJsonString(), read.Kwargs.ToJsonString());
        Assert.Equal(["cb", "eb", "last", "body"], [read.Callbacks![0]!["task"]!.GetValue<string>(), read.Errbacks![0]!["task"]!.GetValue<string>(), read.Chain![0]!["task"]!.GetValue<string>(), read.Chord!["task"]!.GetValue<string>()]);
    }

    [Theory]
    [InlineData("application/x-python-serialize", "pickle")]
    [InlineData("application/x-yaml", "YAML")]
    [InlineData("application/x-msgpack", "msgpack")]
    [InlineData("text/plain", "not JSON")]
    public void A_message_not_in_JSON_is_refused_unread_with_the_reason(string contentType, string kind)
    {
        // Not even a valid pickle: nothing is deserialized, so what the body holds does not matter.
        var message = Kombu(contentType, "\u0080\u0004 whatever", new JsonObject { ["task"] = "proj.add", ["id"] = "t-3" });

        var error = Assert.Throws<InvalidCeleryMessageException>(() => CeleryTaskMessage.Decode(message));

        Assert.Contains($"({kind})", error.Message, StringComparison.Ordinal);
        Assert.Contains("JSON only", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"a": 1}""", "a protocol 2 body must be [args, kwargs, embed]")]
    [InlineData("""[{}, {}, {}]""", "the task's args are not a list")]
    [InlineData("""[[], [], {}]""", "the task's kwargs are not a mapping")]
    [InlineData("""not json""", "the body is not JSON")]
    public void A_broken_body_is_refused_with_what_is_wrong(string body, string reason)
    {
        var error = Assert.Throws<InvalidCeleryMessageException>(() => CeleryTaskMessage.Decode(Kombu("application/json", body, new JsonObject { ["task"] = "t", ["id"] = "i" })));

        Assert.StartsWith(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_message_without_task_or_id_and_a_bad_eta_are_refused()
    {
        Assert.Contains("no 'id'", Assert.Throws<InvalidCeleryMessageException>(() => CeleryTaskMessage.Decode(Kombu("application/json", "[[], {}, {}]", new JsonObject { ["task"] = "t" }))).Message, StringComparison.Ordinal);
        Assert.Contains("'eta' is not an ISO 8601 time", Assert.Throws<InvalidCeleryMessageException>(() =>
            CeleryTaskMessage.Decode(Kombu("application/json", "[[], {}, {}]", new JsonObject { ["task"] = "t", ["id"] = "i", ["eta"] = "tomorrow" }))).Message, StringComparison.Ordinal);
        Assert.Contains("not a kombu message", Assert.Throws<InvalidCeleryMessageException>(() => KombuMessage.Parse("[1]"u8)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_protocol_1_message_carries_everything_in_its_body()
    {
        var body = """{"task": "old.add", "id": "t-4", "args": [1], "kwargs": {"y": 2}, "retries": 1, "eta": "2026-03-04T05:06:07", "utc": true, "taskset": "g-4", "callbacks": {"task": "cb"}, "timelimit": [null, 5]}""";

        var message = CeleryTaskMessage.Decode(Kombu("application/json", body, []));

        Assert.Equal((1, "old.add", "t-4", 1, "g-4"), (message.Version, message.Task, message.Id, message.Retries, message.Group!));
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero), message.Eta);
        Assert.Equal(TimeSpan.FromSeconds(5), message.SoftTimeLimit);
        Assert.Null(message.TimeLimit);
        Assert.Equal("cb", Assert.Single(message.Callbacks!)!["task"]!.GetValue<string>());
        // A re-send is protocol 2.
        Assert.Equal("old.add", message.Encode("q").Headers["task"]!.GetValue<string>());
    }

    [Fact]
    public void Times_are_written_as_Python_isoformat_writes_them()
    {
        Assert.Equal("2026-12-05T10:15:58.795069+00:00", CeleryTime.Format(new DateTimeOffset(2026, 12, 5, 11, 15, 58, TimeSpan.FromHours(1)).AddTicks(7_950_690)));
        Assert.Equal("2026-12-05T10:15:58", CeleryTime.FormatNaive(new DateTimeOffset(2026, 12, 5, 10, 15, 58, TimeSpan.Zero)));
        Assert.True(CeleryTime.TryParse("2026-12-05T10:15:58.795069", out var naive));
        Assert.Equal(TimeSpan.Zero, naive.Offset);
        Assert.False(CeleryTime.TryParse("soon", out _));
    }

    [Fact]
    public void Putting_a_message_back_marks_it_redelivered_and_counts_the_delivery()
    {
        var message = Kombu("application/json", "[[], {}, {}]", new JsonObject { ["task"] = "t", ["id"] = "i" });
        message.Properties["delivery_info"] = new JsonObject { ["exchange"] = "", ["routing_key"] = "q" };
        Assert.Equal(0, message.DeliveriesBefore);

        message.MarkRedelivered();
        message.MarkRedelivered();

        Assert.True(message.Redelivered);
        Assert.True(message.Properties["delivery_info"]!["redelivered"]!.GetValue<bool>());
        Assert.Equal(2, message.DeliveriesBefore);
        var resent = message.Resend("other");
        Assert.Equal((false, 0, "other"), (resent.Redelivered, resent.DeliveriesBefore, resent.RoutingKey));
        Assert.NotEqual(message.DeliveryTag, resent.DeliveryTag);
    }
}
