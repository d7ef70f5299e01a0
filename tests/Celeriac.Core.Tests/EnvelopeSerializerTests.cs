using System.Text;
using System.Text.Json;
using Celeriac.Envelope;

namespace Celeriac.Tests;

public class EnvelopeSerializerTests
{
    private static readonly DateTimeOffset Created = new(2030, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private static TaskEnvelope Full() => new()
    {
        Id = "id-1",
        Task = "emails.send",
        Args = EnvelopeSerializer.SerializeArgs(new { To = "a@example.com", Count = 2 }),
        Queue = "urgent",
        Attempt = 2,
        Eta = Created.AddMinutes(5),
        Expires = Created.AddHours(1),
        Created = Created,
        Headers = new() { ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", ["correlation-id"] = "c-1" },
    };

    private static TaskEnvelope Parse(string json) => EnvelopeSerializer.Deserialize(Encoding.UTF8.GetBytes(json));

    private static string Reason(string json) => Assert.Throws<InvalidEnvelopeException>(() => Parse(json)).Message;

    [Fact]
    public void Round_trip_keeps_every_field()
    {
        var original = Full();
        var copy = EnvelopeSerializer.Deserialize(EnvelopeSerializer.Serialize(original));

        Assert.Equal(TaskEnvelope.CurrentVersion, copy.Version);
        Assert.Equal(original.Id, copy.Id);
        Assert.Equal(original.Task, copy.Task);
        Assert.Equal(original.Queue, copy.Queue);
        Assert.Equal(2, copy.Attempt);
        Assert.Equal(original.Eta, copy.Eta);
        Assert.Equal(original.Expires, copy.Expires);
        Assert.Equal(original.Created, copy.Created);
        Assert.Equal(original.Headers, copy.Headers);
        Assert.Equal("a@example.com", copy.Args.GetProperty("to").GetString());
        Assert.Equal(2, copy.Args.GetProperty("count").GetInt32());
    }

    [Fact]
    public void Field_names_are_the_wire_names_and_nulls_are_omitted()
    {
        using var full = JsonDocument.Parse(EnvelopeSerializer.Serialize(Full()));
        Assert.Equal(
            ["v", "id", "task", "args", "queue", "attempt", "eta", "expires", "created", "headers"],
            full.RootElement.EnumerateObject().Select(p => p.Name).ToArray());

        var minimal = new TaskEnvelope { Id = "i", Task = "t", Queue = "q", Args = EnvelopeSerializer.SerializeArgs(new { }), Created = Created };
        using var small = JsonDocument.Parse(EnvelopeSerializer.Serialize(minimal));
        Assert.Equal(["v", "id", "task", "args", "queue", "attempt", "created"], small.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
    }

    [Fact]
    public void Unknown_fields_are_ignored()
    {
        var envelope = Parse("""
            {"v":1,"id":"x","task":"t","queue":"q","args":{"a":1},"attempt":1,
             "future":{"nested":[1,2,3]},"priority":9,"created":"2030-01-01T00:00:00+00:00"}
            """);
        Assert.Equal("x", envelope.Id);
        Assert.Equal(1, envelope.Attempt);
        Assert.Equal(1, envelope.Args.GetProperty("a").GetInt32());
    }

    [Theory]
    [InlineData("""{"v":1,"task":"t","queue":"q"}""", "id")]
    [InlineData("""{"v":1,"id":"x","queue":"q"}""", "task")]
    [InlineData("""{"v":1,"id":"x","task":"t"}""", "queue")]
    [InlineData("""{"v":1,"id":"","task":"t","queue":"q"}""", "id")]
    [InlineData("""{"v":1,"id":null,"task":"t","queue":"q"}""", "id")]
    public void Missing_id_task_or_queue_is_invalid_with_a_reason(string json, string field)
    {
        var reason = Reason(json);
        Assert.Contains(field, reason);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"v\":1,\"id\":\"x\"")]
    [InlineData("[1,2,3]")]
    [InlineData("\"a string\"")]
    [InlineData("")]
    [InlineData("""{"v":"one","id":"x","task":"t","queue":"q"}""")]
    [InlineData("""{"v":1,"id":"x","task":"t","queue":"q","headers":{"a":1}}""")]
    public void Bad_json_is_invalid_with_a_reason(string json) =>
        Assert.StartsWith("unparseable envelope", Reason(json));

    [Fact]
    public void Json_null_is_invalid_with_a_reason() =>
        Assert.Contains("null", Reason("null"));

    [Theory]
    [InlineData("""{"v":0,"id":"x","task":"t","queue":"q"}""", 0)]
    [InlineData("""{"v":99,"id":"x","task":"t","queue":"q"}""", 99)]
    [InlineData("""{"v":2,"vmin":2,"id":"x","task":"t","queue":"q"}""", 2)]
    public void A_version_this_worker_cannot_read_is_invalid(string json, int version) =>
        Assert.StartsWith($"unsupported envelope version {version}", Reason(json));

    [Fact]
    public void A_later_version_that_older_workers_may_read_is_read_ignoring_what_is_new()
    {
        var envelope = Parse("""{"v":2,"vmin":1,"id":"x","task":"t","queue":"q","somethingNew":{"a":1}}""");
        Assert.Equal(2, envelope.Version);
        Assert.Equal("x", envelope.Id);
    }

    [Fact]
    public void Invalid_utf8_is_invalid_not_a_crash() =>
        Assert.Throws<InvalidEnvelopeException>(() => EnvelopeSerializer.Deserialize(new byte[] { 0x7b, 0xff, 0xfe, 0x7d }));

    [Fact]
    public void An_envelope_without_args_serializes_without_the_field()
    {
        // A foreign producer may omit args; the envelope must still survive a re-send (dead-letter replay).
        var envelope = Parse("""{"v":1,"id":"x","task":"t","queue":"q"}""");
        Assert.Equal(JsonValueKind.Undefined, envelope.Args.ValueKind);

        using var json = JsonDocument.Parse(EnvelopeSerializer.Serialize(envelope with { Attempt = 0 }));
        Assert.False(json.RootElement.TryGetProperty("args", out _));

        // An explicit JSON null stays an explicit null.
        var withNull = Parse("""{"v":1,"id":"x","task":"t","queue":"q","args":null}""");
        using var nullJson = JsonDocument.Parse(EnvelopeSerializer.Serialize(withNull));
        Assert.Equal(JsonValueKind.Null, nullJson.RootElement.GetProperty("args").ValueKind);
    }

    [Fact]
    public void Args_are_camel_case()
    {
        var args = EnvelopeSerializer.SerializeArgs(new StrictArgs("n", 3));
        Assert.Equal("""{"name":"n","count":3}""", args.GetRawText());
    }
}
