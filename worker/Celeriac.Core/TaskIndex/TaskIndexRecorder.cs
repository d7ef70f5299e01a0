using Celeriac.Envelope;
using Celeriac.Observability;
using Celeriac.Pipeline;
using Celeriac.Registry;

namespace Celeriac.TaskIndex;

/// <summary>
/// Records what happens to tasks in the recent-tasks index: at enqueue (the innermost enqueue middleware, once the broker
/// took the batch) and at each execution's start and end (an observer). Args are recorded unless the task masks them;
/// a producer that does not have the task's code leaves them to the worker.
/// </summary>
public sealed class TaskIndexRecorder(TaskIndexWriter writer, WorkerIdentity identity, TimeProvider time) : IEnqueueMiddleware, ITaskObserver
{
    public async Task InvokeAsync(EnqueueBatch batch, EnqueueDelegate next)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(next);
        await next(batch).ConfigureAwait(false);
        if (!writer.Enabled) return;
        var now = time.GetUtcNow();
        foreach (var task in batch.ToSend)
        {
            var envelope = task.Envelope;
            var masked = task.Options?.MaskArgs == true;
            writer.Record(new TaskEvent(envelope.Id, TaskState.Queued, now)
            {
                TaskName = envelope.Task,
                Queue = envelope.Queue,
                Attempt = envelope.Attempt,
                EnqueuedAt = now,
                ArgsMasked = masked,
                RawArgs = masked || task.Descriptor is null || envelope.Attempt > 0 ? null : envelope.Args,
                TraceId = TraceIdOf(envelope),
            });
        }
    }

    public void OnStarted(TaskExecution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        if (!writer.Enabled) return;
        var masked = execution.Options.MaskArgs;
        writer.Record(new TaskEvent(execution.TaskId, TaskState.Started, execution.StartedAt)
        {
            TaskName = execution.TaskName,
            Queue = execution.Queue,
            Attempt = execution.Attempt,
            Worker = identity.Id,
            StartedAt = execution.StartedAt,
            ArgsMasked = masked,
            RawArgs = masked || execution.Attempt > 0 ? null : execution.Envelope.Args,
            TraceId = TraceIdOf(execution.Envelope),
        });
    }

    public void OnFinished(TaskExecution execution, Settlement settlement, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(settlement);
        if (!writer.Enabled) return;
        var (state, handedBack) = settlement switch
        {
            Settlement.Released => (TaskState.Queued, true),
            Settlement.Succeeded => (TaskState.Succeeded, false),
            Settlement.Retry => (TaskState.Retried, false),
            Settlement.DeadLettered { Failure: not null } => (TaskState.Failed, false),
            Settlement.DeadLettered => (TaskState.DeadLettered, false),
            Settlement.Discarded { Why: DiscardReason.Expired } => (TaskState.Expired, false),
            _ => (TaskState.Revoked, false),
        };
        var failure = settlement.Error;
        writer.Record(new TaskEvent(execution.TaskId, state, time.GetUtcNow())
        {
            TaskName = execution.TaskName,
            Queue = execution.Queue,
            Attempt = execution.Attempt,
            Worker = identity.Id,
            HandedBack = handedBack,
            StartedAt = handedBack ? null : execution.StartedAt,
            DurationMs = handedBack ? null : duration.TotalMilliseconds,
            ExceptionType = failure?.GetType().FullName,
            ExceptionMessage = failure?.Message ?? (settlement as Settlement.DeadLettered)?.Reason,
        });
    }

    private static string? TraceIdOf(TaskEnvelope envelope) =>
        envelope.GetHeader(TaskHeaders.TraceParent) is { Length: >= 35 } traceParent ? traceParent.Substring(3, 32) : null;
}
