using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.Tasks;

namespace Celeriac.Pipeline;

/// <summary>How a finished execution is settled with the broker.</summary>
public enum Disposition
{
    /// <summary>Delete the message (done, discarded, or replaced by a retry re-send).</summary>
    Ack,
    /// <summary>Return the message to its queue after <see cref="TaskContext.ReleaseDelay"/> (no attempt used).</summary>
    Release,
    /// <summary>Move the message to the dead-letter store with <see cref="TaskContext.DeadLetterReason"/>.</summary>
    DeadLetter,
}

/// <summary>What happened to the task, for metrics, logs and summaries.</summary>
public enum TaskOutcome
{
    None,
    Succeeded,
    Failed,
    Retried,
    Expired,
    DeadLettered,
    Released,
    /// <summary>Not run now because the task's rate limit was reached; the message was released for later.</summary>
    RateLimited,
    /// <summary>Not run because the task was revoked; the message was acknowledged.</summary>
    Revoked,
}

/// <summary>One execution of one task message, passed through the middleware pipeline to the task.</summary>
public sealed class TaskContext
{
    internal TaskContext(TaskEnvelope envelope, TaskDescriptor descriptor, object args, BrokerMessage message, IServiceProvider services, CancellationToken cancellationToken)
    {
        Envelope = envelope;
        Descriptor = descriptor;
        Args = args;
        Message = message;
        Services = services;
        CancellationToken = cancellationToken;
        WorkerAbort = cancellationToken;
        SoftTimeLimit = descriptor.Options.SoftTimeLimit;
        HardTimeLimit = descriptor.Options.HardTimeLimit;
    }

    public TaskEnvelope Envelope { get; }
    public TaskDescriptor Descriptor { get; }
    public object Args { get; }
    public BrokerMessage Message { get; }
    /// <summary>Services of this execution's scope.</summary>
    public IServiceProvider Services { get; }

    public string TaskId => Envelope.Id;
    public string TaskName => Envelope.Task;
    public string Queue => Message.Queue;
    public int Attempt => Envelope.Attempt;
    public TaskOptions Options => Descriptor.Options;

    /// <summary>Cancelled on soft time limit, revocation, or when the worker's shutdown grace runs out.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Cancelled only when the worker gives up on in-flight work at the end of its shutdown grace.</summary>
    public CancellationToken WorkerAbort { get; }

    /// <summary>This execution's soft limit: the task's <see cref="TaskOptions.SoftTimeLimit"/> unless a middleware set one from the message.</summary>
    public TimeSpan? SoftTimeLimit { get; set; }

    /// <summary>This execution's hard limit: the task's <see cref="TaskOptions.HardTimeLimit"/> unless a middleware set one from the message.</summary>
    public TimeSpan? HardTimeLimit { get; set; }

    public DateTimeOffset StartedAt { get; internal set; }
    public object? Result { get; set; }
    public Exception? Exception { get; set; }
    public TaskOutcome Outcome { get; set; }

    public Disposition Disposition { get; private set; } = Disposition.Ack;
    public TimeSpan ReleaseDelay { get; private set; }
    public string? DeadLetterReason { get; private set; }

    /// <summary>True once the message was acknowledged before the task ran (acks-early).</summary>
    public bool Settled { get; internal set; }

    public void Ack() => Disposition = Disposition.Ack;

    public void Release(TimeSpan delay)
    {
        Disposition = Disposition.Release;
        ReleaseDelay = delay;
        Outcome = TaskOutcome.Released;
    }

    public void DeadLetter(string reason)
    {
        Disposition = Disposition.DeadLetter;
        DeadLetterReason = reason;
        Outcome = TaskOutcome.DeadLettered;
    }

    /// <summary>Free-form state shared between middlewares of one execution.</summary>
    public Dictionary<string, object?> Items => _items ??= [];
    private Dictionary<string, object?>? _items;
}
