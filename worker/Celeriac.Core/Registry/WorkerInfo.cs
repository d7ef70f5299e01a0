using System.Text.Json;
using System.Text.Json.Serialization;

namespace Celeriac.Registry;

/// <summary>
/// A worker process as it last described itself in the registry: who it is, what it serves, what it runs now and what it
/// did so far. Written by the worker at each heartbeat; read by <c>celeriac inspect</c> and the dashboard.
/// </summary>
public sealed record WorkerInfo
{
    /// <summary>Unique per process start: <c>host:pid:random</c>.</summary>
    public required string Id { get; init; }
    /// <summary>The machine's or pod's name.</summary>
    public required string Host { get; init; }
    public int Pid { get; init; }
    /// <summary>Celeriac's version in the worker.</summary>
    public string? Version { get; init; }
    public IReadOnlyList<string> Queues { get; init; } = [];
    public int Concurrency { get; init; }
    /// <summary>The tasks it runs now, oldest first (at most <see cref="MaxInFlightListed"/>; <see cref="InFlightCount"/> counts all).</summary>
    public IReadOnlyList<RunningTask> InFlight { get; init; } = [];
    public int InFlightCount { get; init; }
    /// <summary>Executions settled (succeeded, retried, dead-lettered, expired, revoked), hand-backs not counted.</summary>
    public long Processed { get; init; }
    public long Succeeded { get; init; }
    /// <summary>Failed for good (dead-lettered with an exception) and poison messages.</summary>
    public long Failed { get; init; }
    public long Retried { get; init; }
    public long MemoryBytes { get; init; }
    /// <summary>It stopped fetching and finishes what it holds (SIGTERM, a recycle, a shutdown through control).</summary>
    public bool Draining { get; init; }
    /// <summary>It ended cleanly; the entry stays a while so that the dashboard shows it left.</summary>
    public bool Stopped { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset HeartbeatAt { get; init; }
    /// <summary>The version of the control settings it applied last (<c>celeriac control</c> waits for this).</summary>
    public long ControlVersion { get; init; }
    /// <summary>Its queues that control paused.</summary>
    public IReadOnlyList<string> PausedQueues { get; init; } = [];
    /// <summary>The tasks it can run, with the options in force (<c>inspect registered</c>).</summary>
    public IReadOnlyList<RegisteredTask> Tasks { get; init; } = [];

    public const int MaxInFlightListed = 200;

    /// <summary>Online, lost (no heartbeat for <paramref name="lostAfter"/>) or stopped, as seen at <paramref name="now"/>.</summary>
    public WorkerStatus StatusAt(DateTimeOffset now, TimeSpan lostAfter) =>
        Stopped ? WorkerStatus.Stopped : now - HeartbeatAt > lostAfter ? WorkerStatus.Lost : Draining ? WorkerStatus.Draining : WorkerStatus.Online;

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, RegistryJson.Default.WorkerInfo);

    public static WorkerInfo FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, RegistryJson.Default.WorkerInfo) ?? throw new JsonException("A registry entry is null.");
}

/// <summary>One task a worker runs now.</summary>
public sealed record RunningTask(string Id, string Name, string Queue, int Attempt, DateTimeOffset StartedAt);

/// <summary>
/// A task a worker can run, with the options in force there (control's changes included): what <c>inspect registered</c>
/// shows, and what a producer without the task's code needs to route and lock it as the worker would (queue, lock mode
/// and key fields, expiry).
/// </summary>
public sealed record RegisteredTask(string Name, string Queue, string? RateLimit, TimeSpan? SoftTimeLimit, TimeSpan? HardTimeLimit, int MaxRetries, bool AcksLate, bool MaskArgs)
{
    /// <summary>The lock mode (<c>None</c>, <c>Wait</c>, <c>SkipAtEnqueue</c>).</summary>
    public string Lock { get; init; } = "None";
    /// <summary>The args' fields the lock is keyed on (empty: all the args; a key selector in code is not published).</summary>
    public IReadOnlyList<string> LockKeyFields { get; init; } = [];
    public TimeSpan? Expires { get; init; }
}

public enum WorkerStatus
{
    Online,
    Draining,
    Lost,
    Stopped,
}

[JsonSerializable(typeof(WorkerInfo))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class RegistryJson : JsonSerializerContext;
