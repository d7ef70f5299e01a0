using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Celeriac.Celery.Protocol;

/// <summary>
/// One Celery task message, as protocol version 2 lays it out: the headers (<c>task</c>, <c>id</c>, <c>retries</c>,
/// <c>eta</c>, <c>expires</c>, <c>timelimit</c>, <c>root_id</c>, <c>parent_id</c>, <c>group</c>, ...) and the body
/// <c>[args, kwargs, embed]</c> whose embed carries <c>callbacks</c>, <c>errbacks</c>, <c>chain</c> and <c>chord</c>.
/// Protocol 1 messages (Celery 3.1 and <c>task_protocol = 1</c>, everything in the body) are read into the same shape.
/// JSON only: a message in pickle, YAML or msgpack is refused without being deserialized.
/// </summary>
public sealed record CeleryTaskMessage
{
    public required string Id { get; init; }
    public required string Task { get; init; }
    public JsonArray Args { get; init; } = [];
    public JsonObject Kwargs { get; init; } = [];

    /// <summary>Every header of the message as received, so that a re-send (a retry) keeps those Celeriac does not use.</summary>
    public JsonObject Headers { get; init; } = [];

    public int Retries { get; init; }
    public DateTimeOffset? Eta { get; init; }
    public DateTimeOffset? Expires { get; init; }
    public TimeSpan? TimeLimit { get; init; }
    public TimeSpan? SoftTimeLimit { get; init; }
    public string? RootId { get; init; }
    public string? ParentId { get; init; }
    public string? Group { get; init; }
    public int? GroupIndex { get; init; }
    public bool IgnoreResult { get; init; }

    /// <summary>Signatures to apply with the result once the task succeeded (<c>link</c>).</summary>
    public JsonArray? Callbacks { get; init; }

    /// <summary>Signatures to apply with the task id once the task failed for good (<c>link_error</c>).</summary>
    public JsonArray? Errbacks { get; init; }

    /// <summary>The rest of a chain, last step first: the next one is the last item.</summary>
    public JsonArray? Chain { get; init; }

    /// <summary>For a member of a chord's header: the chord's callback signature.</summary>
    public JsonNode? Chord { get; init; }

    public string? ReplyTo { get; init; }
    public int Priority { get; init; }

    /// <summary>1 or 2: the protocol the message came in (what Celeriac sends is always 2).</summary>
    public int Version { get; init; } = 2;

    /// <summary>Reads the task message in a kombu message; throws <see cref="InvalidCeleryMessageException"/> with the reason when it cannot.</summary>
    public static CeleryTaskMessage Decode(KombuMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        CheckContent(message.ContentType, message.ContentEncoding);
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(message.BodyBytes());
        }
        catch (JsonException ex)
        {
            throw new InvalidCeleryMessageException($"the body is not JSON although its content type says so ({ex.Message})", ex);
        }
        var headers = message.Headers;
        return headers["task"] is not null
            ? FromVersion2(headers, body, message)
            : FromVersion1(headers, body, message);
    }

    private static void CheckContent(string? contentType, string? contentEncoding)
    {
        var type = contentType?.Split(';')[0].Trim();
        if (!string.Equals(type, KombuMessage.JsonContentType, StringComparison.OrdinalIgnoreCase))
        {
            var kind = type switch
            {
                "application/x-python-serialize" => "pickle",
                "application/x-yaml" or "application/yaml" => "YAML",
                "application/x-msgpack" or "application/msgpack" => "msgpack",
                "application/data" => "raw bytes",
                null or "" => "no content type",
                _ => "not JSON",
            };
            throw new InvalidCeleryMessageException(
                $"content type '{KombuMessage.Cut(type ?? "")}' ({kind}) is not accepted: Celeriac reads Celery messages in JSON only and never deserializes pickle, YAML or msgpack");
        }
        if (contentEncoding is not null && !contentEncoding.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !contentEncoding.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            throw new InvalidCeleryMessageException($"content encoding '{KombuMessage.Cut(contentEncoding)}' is not accepted (JSON bodies are utf-8)");
    }

    private static CeleryTaskMessage FromVersion2(JsonObject headers, JsonNode? body, KombuMessage message)
    {
        if (body is not JsonArray { Count: >= 2 } parts) throw new InvalidCeleryMessageException("a protocol 2 body must be [args, kwargs, embed]");
        if (parts[0] is not JsonArray args) throw new InvalidCeleryMessageException("the task's args are not a list");
        if (parts[1] is not JsonObject kwargs) throw new InvalidCeleryMessageException("the task's kwargs are not a mapping");
        var embed = parts.Count > 2 ? parts[2] as JsonObject : null;
        var (hard, soft) = TimeLimits(headers["timelimit"]);
        return new CeleryTaskMessage
        {
            Id = Required(headers, "id"),
            Task = Required(headers, "task"),
            Args = (JsonArray)args.DeepClone(),
            Kwargs = (JsonObject)kwargs.DeepClone(),
            Headers = (JsonObject)headers.DeepClone(),
            Retries = CeleryJson.Integer(headers["retries"]) ?? 0,
            Eta = Time(headers, "eta"),
            Expires = Time(headers, "expires"),
            TimeLimit = hard,
            SoftTimeLimit = soft,
            RootId = CeleryJson.String(headers["root_id"]),
            ParentId = CeleryJson.String(headers["parent_id"]),
            Group = CeleryJson.String(headers["group"]),
            GroupIndex = CeleryJson.Integer(headers["group_index"]),
            IgnoreResult = CeleryJson.Boolean(headers["ignore_result"]),
            Callbacks = CeleryJson.List(embed?["callbacks"])?.DeepClone().AsArray(),
            Errbacks = CeleryJson.List(embed?["errbacks"])?.DeepClone().AsArray(),
            Chain = (embed?["chain"] as JsonArray)?.DeepClone().AsArray(),
            Chord = embed?["chord"]?.DeepClone(),
            ReplyTo = CeleryJson.String(message.Properties["reply_to"]),
            Priority = message.Priority,
            Version = 2,
        };
    }

    private static CeleryTaskMessage FromVersion1(JsonObject headers, JsonNode? body, KombuMessage message)
    {
        if (body is not JsonObject fields || fields["task"] is null)
            throw new InvalidCeleryMessageException("not a Celery task message: no 'task' header (protocol 2) and no task in the body (protocol 1)");
        var args = fields["args"] ?? new JsonArray();
        var kwargs = fields["kwargs"] ?? new JsonObject();
        if (args is not JsonArray argList) throw new InvalidCeleryMessageException("the task's args are not a list");
        if (kwargs is not JsonObject kwargMap) throw new InvalidCeleryMessageException("the task's kwargs are not a mapping");
        var (hard, soft) = TimeLimits(fields["timelimit"]);
        var id = Required(fields, "id");
        // What protocol 2 carries in headers, protocol 1 carries in the body; a re-send writes them as headers.
        var converted = (JsonObject)headers.DeepClone();
        converted["task"] = Required(fields, "task");
        converted["id"] = id;
        return new CeleryTaskMessage
        {
            Id = id,
            Task = Required(fields, "task"),
            Args = (JsonArray)argList.DeepClone(),
            Kwargs = (JsonObject)kwargMap.DeepClone(),
            Headers = converted,
            Retries = CeleryJson.Integer(fields["retries"]) ?? 0,
            Eta = Time(fields, "eta"),
            Expires = Time(fields, "expires"),
            TimeLimit = hard,
            SoftTimeLimit = soft,
            RootId = CeleryJson.String(fields["root_id"]),
            ParentId = CeleryJson.String(fields["parent_id"]),
            Group = CeleryJson.String(fields["taskset"]) ?? CeleryJson.String(fields["group"]),
            Callbacks = CeleryJson.List(fields["callbacks"])?.DeepClone().AsArray(),
            Errbacks = CeleryJson.List(fields["errbacks"])?.DeepClone().AsArray(),
            Chord = fields["chord"]?.DeepClone(),
            ReplyTo = CeleryJson.String(message.Properties["reply_to"]),
            Priority = message.Priority,
            Version = 1,
        };
    }

    /// <summary>The message as protocol 2 in a new kombu message for <paramref name="queue"/>.</summary>
    public KombuMessage Encode(string queue)
    {
        var headers = (JsonObject)Headers.DeepClone();
        headers.Remove("redelivered");
        if (headers["lang"] is null) headers["lang"] = "dotnet";
        headers["task"] = Task;
        headers["id"] = Id;
        if (!headers.ContainsKey("shadow")) headers["shadow"] = null;
        headers["eta"] = Eta is { } eta ? CeleryTime.Format(eta) : null;
        headers["expires"] = Expires is { } expires ? CeleryTime.Format(expires) : null;
        headers["group"] = Group;
        headers["group_index"] = GroupIndex;
        headers["retries"] = Retries;
        headers["timelimit"] = new JsonArray(Seconds(TimeLimit), Seconds(SoftTimeLimit));
        headers["root_id"] = RootId ?? Id;
        headers["parent_id"] = ParentId;
        if (headers["argsrepr"] is null) headers["argsrepr"] = Repr(Args);
        if (headers["kwargsrepr"] is null) headers["kwargsrepr"] = Repr(Kwargs);
        if (headers["origin"] is null) headers["origin"] = Origin;
        headers["ignore_result"] = IgnoreResult;
        var body = new JsonArray(
            Args.DeepClone(),
            Kwargs.DeepClone(),
            new JsonObject
            {
                ["callbacks"] = Callbacks?.DeepClone(),
                ["errbacks"] = Errbacks?.DeepClone(),
                ["chain"] = Chain?.DeepClone(),
                ["chord"] = Chord?.DeepClone(),
            });
        return KombuMessage.Create(CeleryJson.ToBytes(body), headers, queue, Id, ReplyTo, Priority);
    }

    /// <summary>Where a message comes from, as Celery's <c>anon_nodename</c> writes it.</summary>
    public static string Origin { get; } = $"gen{Environment.ProcessId}@{Environment.MachineName}";

    private static string Required(JsonObject fields, string name) =>
        CeleryJson.String(fields[name]) is { Length: > 0 } value ? value : throw new InvalidCeleryMessageException($"the task message has no '{name}'");

    private static DateTimeOffset? Time(JsonObject fields, string name)
    {
        var node = fields[name];
        if (node is null) return null;
        var text = CeleryJson.String(node);
        if (CeleryTime.TryParse(text, out var time)) return time;
        throw new InvalidCeleryMessageException($"'{name}' is not an ISO 8601 time: {KombuMessage.Cut(node.ToJsonString())}");
    }

    private static (TimeSpan? Hard, TimeSpan? Soft) TimeLimits(JsonNode? node)
    {
        if (node is not JsonArray { Count: 2 } pair) return (null, null);
        return (Limit(pair[0]), Limit(pair[1]));

        static TimeSpan? Limit(JsonNode? value) =>
            CeleryJson.Number(value) is { } seconds && seconds > 0 && seconds < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
    }

    private static JsonNode? Seconds(TimeSpan? limit) =>
        limit is { } value ? JsonValue.Create(value.TotalSeconds) : null;

    private static string Repr(JsonNode node)
    {
        var text = CeleryJson.ToText(node);
        return text.Length <= 1024 ? text : text[..1021] + "...";
    }

    /// <summary>A short description for logs: task name and id.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Task}[{Id}]");
}
