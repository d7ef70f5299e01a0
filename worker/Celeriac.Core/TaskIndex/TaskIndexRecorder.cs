using System.Text.Json;
using Celeriac.Envelope;
using Celeriac.Observability;
using Celeriac.Pipeline;
using Celeriac.Registry;
using Microsoft.Extensions.Options;

namespace Celeriac.TaskIndex;

/// <summary>
/// Records what happens to tasks in the recent-tasks index: at enqueue (the innermost enqueue middleware, once the broker
/// took the batch) and at each execution's end (an observer). A start is recorded by <see cref="RunningStarts"/> only for a
/// task still running when the writer flushes, so a task that starts and ends between two flushes costs one event. Args
/// are recorded unless the task masks them; a producer that does not have the task's code leaves them to the worker.
/// </summary>
public sealed class TaskIndexRecorder(TaskIndexWriter writer, WorkerIdentity identity, IOptions<TaskIndexOptions> options, TimeProvider time)
    : IEnqueueMiddleware, ITaskObserver
{
    private readonly int _maxArgsLength = options.Value.MaxArgsLength;

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
                Args = masked || task.Descriptor is null || envelope.Attempt > 0 ? null : ArgsText(envelope.Args, _maxArgsLength),
                TraceId = TraceIdOf(envelope),
            });
        }
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
        // A run carries what its start would have: the start itself reached the index only if a flush saw it running.
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
            ArgsMasked = execution.Options.MaskArgs,
            Args = handedBack ? null : RunArgs(execution, _maxArgsLength),
            TraceId = handedBack ? null : TraceIdOf(execution.Envelope),
        });
    }

    /// <summary>The event of a task that is running: what <see cref="RunningStarts"/> writes at a flush.</summary>
    internal static TaskEvent Started(TaskExecution execution, string worker, int maxArgsLength) =>
        new(execution.TaskId, TaskState.Started, execution.StartedAt)
        {
            TaskName = execution.TaskName,
            Queue = execution.Queue,
            Attempt = execution.Attempt,
            Worker = worker,
            StartedAt = execution.StartedAt,
            ArgsMasked = execution.Options.MaskArgs,
            Args = RunArgs(execution, maxArgsLength),
            TraceId = TraceIdOf(execution.Envelope),
        };

    /// <summary>Args are recorded with the first attempt only; a retry's are the same.</summary>
    private static string? RunArgs(TaskExecution execution, int maxLength) =>
        execution.Options.MaskArgs || execution.Attempt > 0 ? null : ArgsText(execution.Envelope.Args, maxLength);

    private static string? ArgsText(JsonElement args, int maxLength)
    {
        if (args.ValueKind == JsonValueKind.Undefined) return null;
        var text = args.GetRawText();
        return text.Length > maxLength ? text[..maxLength] + "…" : text;
    }

    private static string? TraceIdOf(TaskEnvelope envelope) =>
        envelope.GetHeader(TaskHeaders.TraceParent) is { Length: >= 35 } traceParent ? traceParent.Substring(3, 32) : null;
}
