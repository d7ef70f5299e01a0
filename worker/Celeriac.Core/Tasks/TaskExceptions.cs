namespace Celeriac.Tasks;

public abstract class TaskTimeLimitExceededException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The task did not finish within its soft limit and honoured its cancellation token.</summary>
public sealed class SoftTimeLimitExceededException(TimeSpan limit, Exception? inner = null)
    : TaskTimeLimitExceededException($"soft time limit of {limit.TotalSeconds:0.###}s exceeded", inner);

/// <summary>The task ignored cancellation past its hard limit; the worker recycles.</summary>
public sealed class HardTimeLimitExceededException(TimeSpan limit)
    : TaskTimeLimitExceededException($"hard time limit of {limit.TotalSeconds:0.###}s exceeded");

/// <summary>Thrown by task code to dead-letter the message at once, without retrying.</summary>
public sealed class RejectTaskException(string reason) : Exception(reason);

/// <summary>Thrown by task code to ask for a retry after a given delay (counts against MaxRetries).</summary>
public sealed class RetryTaskException(TimeSpan? delay = null, string? reason = null)
    : Exception(reason ?? "retry requested by the task")
{
    public TimeSpan? Delay { get; } = delay;
}
