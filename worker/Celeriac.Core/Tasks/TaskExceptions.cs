namespace Celeriac.Tasks;

/// <summary>Thrown by task code to dead-letter the message at once, without retrying.</summary>
public sealed class RejectTaskException(string reason) : Exception(reason);

/// <summary>Thrown by task code to ask for a retry after a given delay (counts against MaxRetries).</summary>
public sealed class RetryTaskException(TimeSpan? delay = null, string? reason = null)
    : Exception(reason ?? "retry requested by the task")
{
    public TimeSpan? Delay { get; } = delay;
}
