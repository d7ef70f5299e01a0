using System.Diagnostics.Metrics;
using Celeriac.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Celeriac.Worker;

/// <summary>
/// Gauges of the worker process: configured concurrency, resident memory, and recycles by reason.
/// A hosted service only so that the host creates it at start-up; its instruments are read at each collection.
/// </summary>
public sealed class WorkerMetrics : IHostedService
{
    /// <summary>Recycle reasons, one per recycle exit code, each exported from zero so that increase() sees the first one.</summary>
    public static IReadOnlyDictionary<int, string> RecycleReasons { get; } = new Dictionary<int, string>
    {
        [WorkerExitCodes.MemoryCeiling] = "memory",
        [WorkerExitCodes.HardTimeLimit] = "hard_time_limit",
    };

    public WorkerMetrics(IMeterFactory meterFactory, IOptions<WorkerOptions> options, IWorkerLifetime lifetime)
    {
        var meter = meterFactory.Create(CeleriacDiagnostics.MeterName);
        var concurrency = options.Value.Concurrency;
        meter.CreateObservableGauge("celeriac.worker.concurrency", () => concurrency, description: "Tasks this worker runs at once at most");
        meter.CreateObservableGauge("celeriac.worker.memory", () => Environment.WorkingSet, unit: "By", description: "Resident memory of the worker process");
        meter.CreateObservableCounter("celeriac.worker.recycles", () => Recycles(lifetime), description: "Recycles of this worker process (drain and exit) by reason");
    }

    private static IEnumerable<Measurement<long>> Recycles(IWorkerLifetime lifetime)
    {
        var current = lifetime.IsRecycling ? RecycleReasons.GetValueOrDefault(lifetime.ExitCode, "other") : null;
        foreach (var reason in RecycleReasons.Values.Append("other"))
            yield return new Measurement<long>(reason == current ? 1 : 0, new KeyValuePair<string, object?>("reason", reason));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
