using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Celeriac.Worker;

/// <summary>
/// Recycles the worker when its resident memory passes the ceiling, before the container limit
/// OOM-kills it mid-task. A full GC runs first so that garbage alone never triggers a recycle.
/// </summary>
public sealed class MemoryWatchdog(IOptions<WorkerOptions> options, IWorkerLifetime lifetime, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var worker = options.Value;
        if (worker.MemoryCeilingMb is not { } ceilingMb || ceilingMb <= 0) return;
        var ceiling = ceilingMb * 1024 * 1024;
        using var timer = new PeriodicTimer(worker.MemoryCheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (Environment.WorkingSet <= ceiling) continue;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            var resident = Environment.WorkingSet;
            if (resident <= ceiling) continue;
            lifetime.RequestRecycle(WorkerExitCodes.MemoryCeiling, $"resident memory {resident / (1024 * 1024)} MiB is over the ceiling of {ceilingMb} MiB");
            return;
        }
    }
}
