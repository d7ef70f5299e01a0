using Celeriac.TimeLimits;

namespace Celeriac.Tasks;

/// <summary>The retry options of a task type (<see cref="Retries.RetryMiddleware"/>).</summary>
public sealed partial class TaskOptions
{
    /// <summary>Retries after the first attempt; 0 disables retries.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Delay before the first retry; doubles on each further attempt.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Spread retries: the delay is drawn uniformly from [backoff/2, backoff].</summary>
    public bool RetryJitter { get; set; } = true;

    /// <summary>Whether time-limit failures are retried (Celery does not by default).</summary>
    public bool RetryOnTimeLimit { get; set; }

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
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is TaskTimeLimitExceededException) return RetryOnTimeLimit;
        if (exception is RejectTaskException) return false;
        var type = exception.GetType();
        if (DoNotRetry.Any(t => t.IsAssignableFrom(type))) return false;
        return RetryOnly.Count == 0 || RetryOnly.Any(t => t.IsAssignableFrom(type));
    }
}
