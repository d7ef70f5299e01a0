using System.Diagnostics;
using Celeriac.Observability;

namespace Celeriac.Pipeline.Middlewares;

/// <summary>Times each execution and reports start and outcome to the registered observers.</summary>
public sealed class MetricsMiddleware(IEnumerable<ITaskObserver> observers, TimeProvider time) : ITaskMiddleware
{
    private readonly ITaskObserver[] _observers = [.. observers];

    public async Task InvokeAsync(TaskContext context, TaskDelegate next)
    {
        context.StartedAt = time.GetUtcNow();
        var envelope = context.Envelope;
        var readyAt = envelope.Eta is { } eta && eta > envelope.Created ? eta : envelope.Created;
        var queueWait = context.StartedAt - readyAt;
        foreach (var observer in _observers) observer.OnStarted(context, queueWait);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var duration = Stopwatch.GetElapsedTime(started);
            foreach (var observer in _observers) observer.OnFinished(context, duration);
        }
    }
}
