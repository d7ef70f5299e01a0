using Celeriac.Envelope;
using Celeriac.Tasks;

namespace Celeriac.Pipeline;

/// <summary>Envelopes on their way to the broker, as one send; enqueue middlewares change or withhold them.</summary>
public sealed class EnqueueBatch
{
    private readonly List<PendingTask> _tasks;

    public EnqueueBatch(IEnumerable<PendingTask> tasks, CancellationToken cancellationToken = default)
    {
        _tasks = [.. tasks];
        CancellationToken = cancellationToken;
    }

    /// <summary>The caller's cancellation of the send.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// The trace span this send belongs to when it is not the current one: a retry is sent after the run that failed
    /// has ended, on that run's behalf.
    /// </summary>
    public System.Diagnostics.ActivityContext? Parent { get; init; }

    public IReadOnlyList<PendingTask> Tasks => _tasks;

    /// <summary>The tasks that will be sent (not withheld).</summary>
    public IEnumerable<PendingTask> ToSend => _tasks.Where(t => t.WithheldFor is null);
}

/// <summary>One task of an <see cref="EnqueueBatch"/>.</summary>
public sealed class PendingTask(TaskEnvelope envelope, TaskDescriptor? descriptor, TaskOptions? options = null)
{
    public TaskEnvelope Envelope { get; set; } = envelope;

    /// <summary>The registered task, when the producer has its code; null for a send by name only.</summary>
    public TaskDescriptor? Descriptor { get; } = descriptor;

    /// <summary>The task's options: the registered task's, else as a live worker published them in the registry, else null.</summary>
    public TaskOptions? Options { get; } = descriptor?.Options ?? options;

    /// <summary>Set when a middleware withheld it: the id of the task that stands for it (a duplicate holding the lock).</summary>
    public string? WithheldFor { get; private set; }

    /// <summary>Not sent; the caller gets <paramref name="taskId"/> as its id.</summary>
    public void Withhold(string taskId) => WithheldFor = taskId;

    /// <summary>The id the caller gets: this task's own, or the one that stands for it.</summary>
    public string ResultId => WithheldFor ?? Envelope.Id;
}
