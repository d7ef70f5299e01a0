using System.Text.Json.Nodes;

namespace Celeriac.Celery.Protocol;

/// <summary>
/// A Celery signature as it travels in messages (callbacks, errbacks, the rest of a chain, a chord's callback): a JSON
/// object with <c>task</c>, partial <c>args</c> and <c>kwargs</c>, <c>options</c> (<c>task_id</c>, <c>queue</c>,
/// <c>link</c>, <c>link_error</c>, <c>group_id</c>, <c>chord</c>, ...), <c>subtask_type</c> (null for one task,
/// <c>chain</c>, <c>group</c> or <c>chord</c> for canvas primitives whose parts are in kwargs) and <c>immutable</c>.
/// </summary>
public sealed class CelerySignature
{
    private CelerySignature(JsonObject root)
    {
        Root = root;
    }

    public JsonObject Root { get; }

    public string? Task => CeleryJson.String(Root["task"]);

    public JsonArray Args => Root["args"] as JsonArray ?? [];

    public JsonObject Kwargs => Root["kwargs"] as JsonObject ?? [];

    public JsonObject Options => Root["options"] as JsonObject ?? [];

    /// <summary>Null for a task; <c>chain</c>, <c>group</c>, <c>chord</c> for the canvas primitives.</summary>
    public string? SubtaskType => CeleryJson.String(Root["subtask_type"]);

    public bool Immutable => CeleryJson.Boolean(Root["immutable"]);

    /// <summary>The id given to the task in advance (a frozen signature, every step of a chain), if any.</summary>
    public string? TaskId => CeleryJson.String(Options["task_id"]);

    public static CelerySignature Parse(JsonNode? node) =>
        node is JsonObject root && (root["task"] is not null || root["subtask_type"] is not null)
            ? new CelerySignature(root)
            : throw new InvalidCeleryMessageException($"not a Celery signature: {KombuMessage.Cut(CeleryJson.ToText(node))}");

    /// <summary>A signature of one task, as Python's <c>signature(name, args, kwargs, options, immutable=...)</c> writes it.</summary>
    public static JsonObject Create(string task, JsonArray args, JsonObject kwargs, JsonObject options, bool immutable) => new()
    {
        ["task"] = task,
        ["args"] = args,
        ["kwargs"] = kwargs,
        ["options"] = options,
        ["subtask_type"] = null,
        ["immutable"] = immutable,
    };

    /// <summary>The signatures of a chain, group or chord primitive (its <c>tasks</c> or <c>header</c>).</summary>
    public IReadOnlyList<CelerySignature> Parts(string name) =>
        Kwargs[name] is JsonArray parts ? [.. parts.Select(Parse)] : Kwargs[name] is JsonObject one ? [Parse(one)] : [];

    /// <summary>The body of a chord primitive.</summary>
    public CelerySignature? ChordBody => Kwargs["body"] is JsonObject body ? Parse(body) : null;

    /// <summary>
    /// The message that applying this one-task signature sends, as <c>signature.apply_async(args, ...)</c> does:
    /// <paramref name="prepend"/> goes before the partial args unless the signature is immutable, the id is the frozen one
    /// or a new one, the queue is the signature's own or else <paramref name="route"/>'s choice for the task name.
    /// </summary>
    public (string Queue, CeleryTaskMessage Message) ToMessage(JsonArray? prepend, string? parentId, string? rootId, JsonArray? chain, DateTimeOffset now, Func<string, string> route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var task = Task ?? throw new InvalidCeleryMessageException("the signature names no task");
        var options = Options;
        var args = new JsonArray();
        if (prepend is not null && !Immutable)
            foreach (var item in prepend) args.Add(item?.DeepClone());
        foreach (var item in Args) args.Add(item?.DeepClone());
        var eta = CeleryTime.TryParse(CeleryJson.String(options["eta"]), out var at) ? at
            : CeleryJson.Number(options["countdown"]) is { } countdown && countdown > 0 ? now + TimeSpan.FromSeconds(countdown)
            : (DateTimeOffset?)null;
        var expires = CeleryTime.TryParse(CeleryJson.String(options["expires"]), out var until) ? until
            : CeleryJson.Number(options["expires"]) is { } seconds ? now + TimeSpan.FromSeconds(seconds)
            : (DateTimeOffset?)null;
        var headers = options["headers"] is JsonObject extra ? (JsonObject)extra.DeepClone() : new JsonObject();
        headers["lang"] = "dotnet";
        if (options["shadow"] is { } shadow) headers["shadow"] = shadow.DeepClone();
        var id = TaskId ?? Guid.NewGuid().ToString();
        var queue = CeleryJson.String(options["queue"]) is { Length: > 0 } named ? named
            : CeleryJson.String(options["routing_key"]) is { Length: > 0 } key ? key
            : route(task);
        return (queue, new CeleryTaskMessage
        {
            Id = id,
            Task = task,
            Args = args,
            Kwargs = (JsonObject)Kwargs.DeepClone(),
            Headers = headers,
            Eta = eta,
            Expires = expires,
            TimeLimit = Limit(options["time_limit"]),
            SoftTimeLimit = Limit(options["soft_time_limit"]),
            RootId = rootId ?? id,
            ParentId = parentId,
            Group = CeleryJson.String(options["group_id"]),
            GroupIndex = CeleryJson.Integer(options["group_index"]),
            IgnoreResult = CeleryJson.Boolean(options["ignore_result"]),
            Callbacks = CeleryJson.List(options["link"])?.DeepClone().AsArray(),
            Errbacks = CeleryJson.List(options["link_error"])?.DeepClone().AsArray(),
            Chain = chain,
            Chord = options["chord"]?.DeepClone(),
            ReplyTo = CeleryJson.String(options["reply_to"]),
            Priority = Math.Clamp(CeleryJson.Integer(options["priority"]) ?? 0, 0, 9),
        });
    }

    private static TimeSpan? Limit(JsonNode? node) =>
        CeleryJson.Number(node) is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
}
