using Celeriac.Client;
using Celeriac.Tests.Infrastructure;

namespace Celeriac.Tests;

/// <summary>A worker serving queues of different priorities.</summary>
public sealed class PriorityTests
{
    private static readonly Dictionary<string, string?> HighAndLow = new()
    {
        ["Celeriac:Queues:0:Name"] = "low", ["Celeriac:Queues:0:Priority"] = "1",
        ["Celeriac:Queues:1:Name"] = "high", ["Celeriac:Queues:1:Priority"] = "10",
    };

    private static Task EnqueueAsync(TestApp app, string queue, int index) =>
        app.EnqueueScriptAsync($"{queue}-{index}", new EnqueueOptions { Queue = queue });

    [Fact]
    public async Task The_high_queue_is_drained_first()
    {
        await using var app = TestApp.CreateWorker(o => { o.Concurrency = 1; o.StarvationGuardEvery = 0; }, configuration: HighAndLow);
        for (var i = 0; i < 6; i++)
        {
            await EnqueueAsync(app, "low", i);
            await EnqueueAsync(app, "high", i);
        }
        await app.StartAsync();

        await Eventually.Until(() => app.Probe.Finished.Count == 12, "all ran");
        var queues = app.Probe.Started.Select(r => r.Queue).ToList();
        Assert.Equal([.. Enumerable.Repeat("high", 6), .. Enumerable.Repeat("low", 6)], queues);
        Assert.Equal(["high-0", "high-1", "high-2", "high-3", "high-4", "high-5"], app.Probe.Started.Take(6).Select(r => r.Label));
    }

    [Fact]
    public async Task A_continuous_stream_on_high_does_not_starve_low()
    {
        await using var app = TestApp.CreateWorker(o => { o.Concurrency = 1; o.StarvationGuardEvery = 4; }, configuration: HighAndLow);
        long highReadyWhenLowRan = -1;
        app.Probe.Handler = async (args, _) =>
        {
            if (args.Label.StartsWith("low", StringComparison.Ordinal))
                highReadyWhenLowRan = (await app.DepthAsync("high")).Ready;
            else
                await Task.Delay(5);
        };
        await EnqueueAsync(app, "low", 0);
        var produced = 0;
        for (; produced < 20; produced++) await EnqueueAsync(app, "high", produced);
        await app.StartAsync();

        // Keep the high queue from ever running dry until low has had its turn.
        await Eventually.Until(async () =>
        {
            while ((await app.DepthAsync("high")).Ready < 10) await EnqueueAsync(app, "high", produced++);
            return app.Probe.Finished.Any(r => r.Queue == "low");
        }, "the low queue made progress");

        Assert.True(highReadyWhenLowRan >= 5, $"high still had work ({highReadyWhenLowRan} ready) when low ran");
        var highBeforeLow = app.Probe.Started.TakeWhile(r => r.Queue == "high").Count();
        Assert.InRange(highBeforeLow, 1, 8);
    }
}
