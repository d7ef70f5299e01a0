using System.Diagnostics;
using Celeriac.Envelope;
using Celeriac.Pipeline;

namespace Celeriac.Observability;

/// <summary>
/// W3C trace context across the queue. When tasks are sent: a producer span around the send, whose context
/// (<c>traceparent</c>/<c>tracestate</c> headers) each envelope carries, so the send is the parent of each run as
/// messaging traces are drawn. When a task runs: a consumer span that continues the producer's trace, so logs carry the
/// trace id and tasks it enqueues join the same trace.
/// </summary>
public sealed class TracingMiddleware : ITaskMiddleware, IEnqueueMiddleware
{
    public async Task InvokeAsync(EnqueueBatch batch, EnqueueDelegate next)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(next);
        var first = batch.ToSend.FirstOrDefault();
        using var activity = first is not null && CeleriacDiagnostics.ActivitySource.HasListeners()
            ? CeleriacDiagnostics.ActivitySource.StartActivity("celeriac.enqueue " + first.Envelope.Task, ActivityKind.Producer, batch.Parent ?? default)
            : null;
        if (activity is { IsAllDataRequested: true })
        {
            var count = batch.ToSend.Count();
            activity.SetTag("celeriac.task", first!.Envelope.Task);
            activity.SetTag("messaging.destination.name", first.Envelope.Queue);
            activity.SetTag("messaging.batch.message_count", count);
            if (count == 1) activity.SetTag("celeriac.task_id", first.Envelope.Id);
        }
        if ((activity ?? Activity.Current) is { IdFormat: ActivityIdFormat.W3C } parent)
            foreach (var task in batch.ToSend) task.Envelope = UnderSpan(task.Envelope, parent);
        await next(batch).ConfigureAwait(false);
    }

    /// <summary>The envelope with <paramref name="span"/>'s context, unless it belongs to another trace already (a replayed dead letter keeps its own).</summary>
    private static TaskEnvelope UnderSpan(TaskEnvelope envelope, Activity span)
    {
        var current = envelope.GetHeader(TaskHeaders.TraceParent);
        if (current is not null && (!ActivityContext.TryParse(current, null, out var context) || context.TraceId != span.TraceId)) return envelope;
        var headers = envelope.Headers is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(envelope.Headers, StringComparer.Ordinal);
        headers[TaskHeaders.TraceParent] = span.Id!;
        if (span.TraceStateString is { } state) headers[TaskHeaders.TraceState] = state;
        else headers.Remove(TaskHeaders.TraceState);
        return envelope with { Headers = headers };
    }

    public async Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(next);
        using var activity = StartActivity(execution);
        if (activity is not null) execution.Trace = activity.Context;
        var settlement = await next(execution).ConfigureAwait(false);
        if (activity is null) return settlement;
        activity.SetTag("celeriac.outcome", settlement.Outcome.ToString());
        if (settlement is Settlement.DeadLettered { Failure: { } failure })
            activity.SetStatus(ActivityStatusCode.Error, failure.Message);
        return settlement;
    }

    private static Activity? StartActivity(TaskExecution execution)
    {
        var name = "celeriac.run " + execution.TaskName;
        var traceParent = execution.Envelope.GetHeader(TaskHeaders.TraceParent);
        Activity? activity;
        if (traceParent is not null && ActivityContext.TryParse(traceParent, execution.Envelope.GetHeader(TaskHeaders.TraceState), out var parent))
        {
            activity = CeleriacDiagnostics.ActivitySource.StartActivity(name, ActivityKind.Consumer, parent);
            // Without a listener no activity is sampled; keep the trace going anyway so child enqueues propagate it.
            activity ??= new Activity(name).SetParentId(traceParent).Start();
            if (parent.TraceState is not null) activity.TraceStateString = parent.TraceState;
        }
        else
        {
            activity = CeleriacDiagnostics.ActivitySource.StartActivity(name, ActivityKind.Consumer);
        }
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("celeriac.task", execution.TaskName);
            activity.SetTag("celeriac.task_id", execution.TaskId);
            activity.SetTag("celeriac.attempt", execution.Attempt);
            activity.SetTag("messaging.destination.name", execution.Queue);
        }
        return activity;
    }
}
