using System.Diagnostics;
using Celeriac.Envelope;
using Celeriac.Observability;

namespace Celeriac.Pipeline.Middlewares;

/// <summary>
/// Continues the producer's W3C trace (traceparent/tracestate headers) for the task's execution,
/// so that logs carry the trace id and tasks enqueued by this task join the same trace.
/// </summary>
public sealed class TracingMiddleware : ITaskMiddleware
{
    public async Task InvokeAsync(TaskContext context, TaskDelegate next)
    {
        using var activity = StartActivity(context);
        await next(context).ConfigureAwait(false);
        if (activity is null) return;
        activity.SetTag("celeriac.outcome", context.Outcome.ToString());
        if (context.Exception is not null && context.Outcome is not TaskOutcome.Retried)
            activity.SetStatus(ActivityStatusCode.Error, context.Exception.Message);
    }

    private static Activity? StartActivity(TaskContext context)
    {
        var name = "celeriac.run " + context.TaskName;
        var traceParent = context.Envelope.GetHeader(TaskHeaders.TraceParent);
        Activity? activity;
        if (traceParent is not null && ActivityContext.TryParse(traceParent, context.Envelope.GetHeader(TaskHeaders.TraceState), out var parent))
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
            activity.SetTag("celeriac.task", context.TaskName);
            activity.SetTag("celeriac.task_id", context.TaskId);
            activity.SetTag("celeriac.attempt", context.Attempt);
            activity.SetTag("messaging.destination.name", context.Queue);
        }
        return activity;
    }
}
