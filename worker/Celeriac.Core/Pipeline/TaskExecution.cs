using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.Tasks;

namespace Celeriac.Pipeline;

/// <summary>
/// One execution of one task message, as the middlewares see it. How it ends is not recorded here but returned
/// (<see cref="Settlement"/>); the task body gets only the narrow <see cref="TaskContext"/>.
/// </summary>
public sealed class TaskExecution
{
    private readonly Func<ValueTask> _acknowledge;

    /// <param name="acknowledge">Deletes the message at once (acks-early); supplied by whoever settles the message.</param>
    public TaskExecution(TaskEnvelope envelope, TaskDescriptor descriptor, object args, BrokerMessage message, IServiceProvider services,
        CancellationToken workerAbort, Func<ValueTask> acknowledge)
    {
        Envelope = envelope;
        Descriptor = descriptor;
        Args = args;
        Message = message;
        Services = services;
        WorkerAbort = workerAbort;
        CancellationToken = workerAbort;
        SoftTimeLimit = descriptor.Options.SoftTimeLimit;
        HardTimeLimit = descriptor.Options.HardTimeLimit;
        _acknowledge = acknowledge;
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

    /// <summary>
    /// What the task's token is cancelled by: a middleware that adds a reason (a time limit, a revocation) links its own
    /// source in and puts the token back when it is done.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Cancelled only when the worker gives up on in-flight work at the end of its shutdown grace.</summary>
    public CancellationToken WorkerAbort { get; }

    /// <summary>This execution's soft limit: the task's <see cref="TaskOptions.SoftTimeLimit"/>, unless a middleware set one from the message (Celery's <c>timelimit</c>).</summary>
    public TimeSpan? SoftTimeLimit { get; set; }

    /// <summary>This execution's hard limit: the task's <see cref="TaskOptions.HardTimeLimit"/>, unless a middleware set one from the message.</summary>
    public TimeSpan? HardTimeLimit { get; set; }

    /// <summary>The run's trace span (set by the tracing middleware), for what is sent on its behalf after it ended (a retry).</summary>
    public System.Diagnostics.ActivityContext? Trace { get; set; }

    /// <summary>When the pipeline started this execution.</summary>
    public DateTimeOffset StartedAt { get; internal set; }

    /// <summary>True once the message was deleted before the task ran (acks-early): no settlement reaches the broker then.</summary>
    public bool AcknowledgedEarly { get; private set; }

    /// <summary>Deletes the message now, before the task runs (at-most-once).</summary>
    public async ValueTask AcknowledgeEarlyAsync()
    {
        if (AcknowledgedEarly) return;
        await _acknowledge().ConfigureAwait(false);
        AcknowledgedEarly = true;
    }

    /// <summary>What the task body sees: the task's identity, its headers and the current cancellation.</summary>
    public TaskContext CreateTaskContext() =>
        new(TaskId, TaskName, Queue, Attempt, Envelope.Headers, CancellationToken, Services.GetService(typeof(ITaskProgress)) as ITaskProgress);

    /// <summary>Free-form state shared between middlewares of one execution.</summary>
    public Dictionary<string, object?> Items => _items ??= [];
    private Dictionary<string, object?>? _items;
}
