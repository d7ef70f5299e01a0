using System.Diagnostics;
using Celeriac.Pipeline;

namespace Celeriac.Observability;

/// <summary>Times each execution and reports its start and its settlement to the registered observers.</summary>
public sealed class MetricsMiddleware(IEnumerable<ITaskObserver> observers, TimeProvider time) : ITaskMiddleware
{
    private readonly ITaskObserver[] _observers = [.. observers];

    public async Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(next);
        execution.StartedAt = time.GetUtcNow();
        foreach (var observer in _observers) observer.OnStarted(execution);
        var started = Stopwatch.GetTimestamp();
        Settlement? settlement = null;
        try
        {
            settlement = await next(execution).ConfigureAwait(false);
            return settlement;
        }
        finally
        {
            // An exception here is a fault of the pipeline itself; the dispatcher hands the message back.
            settlement ??= new Settlement.Released(TimeSpan.FromSeconds(1), ReleaseReason.Interrupted);
            var duration = Stopwatch.GetElapsedTime(started);
            foreach (var observer in _observers) observer.OnFinished(execution, settlement, duration);
        }
    }
}
