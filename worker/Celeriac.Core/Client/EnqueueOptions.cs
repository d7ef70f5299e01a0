namespace Celeriac.Client;

/// <summary>Per-call overrides of a task's defaults.</summary>
public sealed class EnqueueOptions
{
    /// <summary>Run no earlier than now + countdown.</summary>
    public TimeSpan? Countdown { get; init; }
    /// <summary>Run no earlier than this time (wins over <see cref="Countdown"/>).</summary>
    public DateTimeOffset? Eta { get; init; }
    /// <summary>Discard the message if received after this time.</summary>
    public DateTimeOffset? Expires { get; init; }
    /// <summary>Discard the message if received later than this after enqueue.</summary>
    public TimeSpan? ExpiresIn { get; init; }
    /// <summary>Send to this queue instead of the task's.</summary>
    public string? Queue { get; init; }
    /// <summary>Send to the declared queue whose priority is the highest not above this one.</summary>
    public int? Priority { get; init; }
    /// <summary>Use this task id instead of a new one.</summary>
    public string? TaskId { get; init; }
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}
