using System.Text.Json;
using System.Text.Json.Serialization;

namespace Celeriac.Envelope;

/// <summary>
/// One task message on the wire (envelope version 1). Unknown fields are ignored so that
/// workers and producers of different releases interoperate.
/// </summary>
public sealed record TaskEnvelope
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("v")] public int Version { get; init; } = CurrentVersion;
    /// <summary>
    /// The oldest envelope version a worker may understand and still run this message: a producer of a later version
    /// sets it when what it added can be ignored. Absent: <see cref="Version"/> (only workers of that version or later).
    /// </summary>
    [JsonPropertyName("vmin")] public int? MinReaderVersion { get; init; }
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("task")] public required string Task { get; init; }
    /// <summary>Absent (Undefined) when a producer sent none; then it is omitted on the wire too, never a write error.</summary>
    [JsonPropertyName("args")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public JsonElement Args { get; init; }
    [JsonPropertyName("queue")] public required string Queue { get; init; }
    /// <summary>0 on the first delivery of the logical task; a retry is a re-send with attempt + 1.</summary>
    [JsonPropertyName("attempt")] public int Attempt { get; init; }
    [JsonPropertyName("eta")] public DateTimeOffset? Eta { get; init; }
    [JsonPropertyName("expires")] public DateTimeOffset? Expires { get; init; }
    [JsonPropertyName("created")] public DateTimeOffset Created { get; init; }
    [JsonPropertyName("headers")] public Dictionary<string, string>? Headers { get; init; }

    // Workflows (canvas). Carried in the envelope so that they survive worker restarts.
    [JsonPropertyName("parent")] public string? Parent { get; init; }
    [JsonPropertyName("root")] public string? Root { get; init; }
    [JsonPropertyName("group")] public string? Group { get; init; }
    [JsonPropertyName("chain")] public JsonElement? Chain { get; init; }
    [JsonPropertyName("chord")] public JsonElement? Chord { get; init; }

    public string? GetHeader(string name) =>
        Headers is not null && Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>Well-known header names.</summary>
public static class TaskHeaders
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
    public const string CorrelationId = "correlation-id";
    public const string Signature = "sig";
}
