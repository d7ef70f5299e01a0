namespace Celeriac.Tasks;

/// <summary>Per-task policy. Bindable from configuration section <c>Celeriac:Tasks:&lt;task name&gt;</c>.</summary>
public sealed class TaskOptions
{
    public string Queue { get; set; } = "default";

    /// <summary>Retries after the first attempt; 0 disables retries.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Delay before the first retry; doubles on each further attempt.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Spread retries: the delay is drawn uniformly from [backoff/2, backoff].</summary>
    public bool RetryJitter { get; set; } = true;

    /// <summary>Soft limit: the task's cancellation token is cancelled.</summary>
    public TimeSpan? SoftTimeLimit { get; set; }

    /// <summary>Hard limit: a task still running is abandoned, dead-lettered and the worker recycles.</summary>
    public TimeSpan? HardTimeLimit { get; set; }

    /// <summary>Default expiry relative to enqueue time; a message received later is discarded.</summary>
    public TimeSpan? Expires { get; set; }

    /// <summary>Acknowledge after the task finishes (at-least-once). False acknowledges on receipt (at-most-once).</summary>
    public bool AcksLate { get; set; } = true;

    /// <summary>Whether time-limit failures are retried (Celery does not by default).</summary>
    public bool RetryOnTimeLimit { get; set; }

    /// <summary>Global rate limit of this task type across all workers, e.g. <c>70/s</c>, <c>1000/m</c>, <c>10/h</c>. Over it, a task waits (released with a delay), it does not fail.</summary>
    public string? RateLimit { get; set; }

    /// <summary>At most one running instance per lock key (task name + args): wait for the holder, or skip duplicates at enqueue.</summary>
    public TaskLockMode Lock { get; set; }

    /// <summary>A lock not renewed for this long expires (its worker died). Renewed while the task runs.</summary>
    public TimeSpan LockTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a task that finds its lock held waits before it tries again.</summary>
    public TimeSpan LockRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Store the result (or the failure) for <see cref="Client.TaskHandle"/>. Default: when the task returns a value.</summary>
    public bool? StoreResult { get; set; }

    /// <summary>How long a stored result is kept.</summary>
    public TimeSpan ResultExpires { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The args are secret: tools that show messages (<c>celeriac dead-letters list</c>) print "(masked)" instead.</summary>
    public bool MaskArgs { get; set; }

    /// <summary>Exceptions never retried (checked with IsAssignableFrom). Code only.</summary>
    public HashSet<Type> DoNotRetry { get; } = [];

    /// <summary>When not empty, only these exceptions (and subclasses) are retried. Code only.</summary>
    public HashSet<Type> RetryOnly { get; } = [];

    public TaskOptions DoNotRetryOn<TException>() where TException : Exception
    {
        DoNotRetry.Add(typeof(TException));
        return this;
    }

    public TaskOptions RetryOn<TException>() where TException : Exception
    {
        RetryOnly.Add(typeof(TException));
        return this;
    }

    public bool ShouldRetry(Exception exception)
    {
        if (exception is TaskTimeLimitExceededException) return RetryOnTimeLimit;
        if (exception is RejectTaskException) return false;
        var type = exception.GetType();
        if (DoNotRetry.Any(t => t.IsAssignableFrom(type))) return false;
        return RetryOnly.Count == 0 || RetryOnly.Any(t => t.IsAssignableFrom(type));
    }
}
