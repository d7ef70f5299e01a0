using Celeriac.Tests.Infrastructure;
using Celeriac.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Tests;

public sealed class WorkerLifetimeTests
{
    [Fact]
    public async Task The_first_recycle_request_wins_and_stops_the_host()
    {
        await using var app = await TestApp.CreateWorker().StartAsync();
        var lifetime = app.Services.GetRequiredService<IWorkerLifetime>();
        Assert.False(lifetime.IsRecycling);

        lifetime.RequestRecycle(WorkerExitCodes.MemoryCeiling, "first");
        lifetime.RequestRecycle(WorkerExitCodes.HardTimeLimit, "second");

        Assert.True(lifetime.IsRecycling);
        Assert.Equal((WorkerExitCodes.MemoryCeiling, "first"), (lifetime.ExitCode, lifetime.RecycleReason));
        Assert.True(app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    [Fact]
    public async Task Past_the_memory_ceiling_the_worker_recycles()
    {
        await using var app = await TestApp.CreateWorker(o => { o.MemoryCeilingMb = 1; o.MemoryCheckInterval = TimeSpan.FromMilliseconds(50); }).StartAsync();
        var lifetime = app.Services.GetRequiredService<IWorkerLifetime>();

        await Eventually.Until(() => lifetime.IsRecycling, "the watchdog asks for a recycle");
        Assert.Equal(WorkerExitCodes.MemoryCeiling, lifetime.ExitCode);
        Assert.Contains("ceiling of 1 MiB", lifetime.RecycleReason);
    }

    [Fact]
    public async Task Without_a_ceiling_the_watchdog_does_nothing()
    {
        await using var app = await TestApp.CreateWorker().StartAsync();
        await app.EnqueueScriptAsync("x");
        await Eventually.Until(() => app.Probe.Finished.Count == 1, "a task ran");
        Assert.False(app.Services.GetRequiredService<IWorkerLifetime>().IsRecycling);
    }
}
