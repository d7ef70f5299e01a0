namespace Celeriac.Pipeline;

/// <summary>
/// How one execution of a task message ended: the value a middleware returns, and may replace, on its way out (as
/// Hangfire elects a job's state). The dispatcher applies the final one to the broker; nothing else records an outcome.
/// </summary>
public abstract record Settlement
{
    private Settlement()
    {
    }

    /// <summary>The label of this ending, for metrics, logs and traces.</summary>
    public abstract TaskOutcome Outcome { get; }

    /// <summary>The failure behind this ending, if any.</summary>
    public virtual Exception? Error => null;

    /// <summary>The task ran and returned <paramref name="Result"/> (null for a task without a result).</summary>
    public sealed record Succeeded(object? Result) : Settlement
    {
        public override TaskOutcome Outcome => TaskOutcome.Succeeded;
    }

    /// <summary>A failure to try again: the envelope is re-sent with the next attempt, due after <paramref name="Delay"/>, and this message acknowledged.</summary>
    public sealed record Retry(TimeSpan Delay, Exception Failure) : Settlement
    {
        public override TaskOutcome Outcome => TaskOutcome.Retried;
        public override Exception? Error => Failure;
    }

    /// <summary>Not run now: the message goes back to its queue, visible after <paramref name="Delay"/>, no attempt used.</summary>
    public sealed record Released(TimeSpan Delay, ReleaseReason Why) : Settlement
    {
        public override TaskOutcome Outcome => Why == ReleaseReason.RateLimited ? TaskOutcome.RateLimited : TaskOutcome.Released;
    }

    /// <summary>Failed for good (retries exhausted, not retryable, rejected, over its hard limit): the message goes to the dead-letter store.</summary>
    public sealed record DeadLettered(string Reason, Exception? Failure = null) : Settlement
    {
        public override TaskOutcome Outcome => TaskOutcome.DeadLettered;
        public override Exception? Error => Failure;
    }

    /// <summary>Acknowledged without running: the message expired, or its task was revoked.</summary>
    public sealed record Discarded(DiscardReason Why) : Settlement
    {
        public override TaskOutcome Outcome => Why == DiscardReason.Expired ? TaskOutcome.Expired : TaskOutcome.Revoked;
    }

    public static Settlement Expired { get; } = new Discarded(DiscardReason.Expired);

    public static Settlement Revoked { get; } = new Discarded(DiscardReason.Revoked);

    /// <summary>Whether this ending is final for the task (not a retry, not a hand-back): what workflows and results act on.</summary>
    public bool IsFinal => this is Succeeded or DeadLettered or Discarded;
}

/// <summary>Why a message was handed back unrun.</summary>
public enum ReleaseReason
{
    /// <summary>The task type's rate limit is reached; it runs at its reserved slot.</summary>
    RateLimited,
    /// <summary>Another instance holds the task's lock.</summary>
    LockHeld,
    /// <summary>The worker is shutting down past its grace period, or the pipeline failed unexpectedly.</summary>
    Interrupted,
}

/// <summary>Why a message was acknowledged without running.</summary>
public enum DiscardReason
{
    Expired,
    Revoked,
}

/// <summary>The label of how an execution ended (<see cref="Settlement.Outcome"/>): metric and log names.</summary>
public enum TaskOutcome
{
    Succeeded,
    Retried,
    Released,
    RateLimited,
    DeadLettered,
    Expired,
    Revoked,
}
