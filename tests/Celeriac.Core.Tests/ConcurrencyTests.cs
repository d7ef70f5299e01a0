using Celeriac.Brokers;
using Celeriac.Tests.Infrastructure;

namespace Celeriac.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Never_more_than_concurrency_run_and_prefetch_is_bounded_by_free_slots()
    {
        await using var app = TestApp.CreateWorker(o => { o.Concurrency = 2; o.MaxFetchBatch = 64; });
        app.Probe.Handler = (_, _) => Task.Delay(250);
        for (var i = 0; i < 10; i++) await app.EnqueueScriptAsync("slow-" + i);
        await app.StartAsync();

        var samples = new List<QueueDepth>();
        await Eventually.Until(async () =>
        {
            samples.Add(await app.DepthAsync());
            return app.Probe.Finished.Count == 10;
        }, "all ten tasks finished");

        Assert.Equal(2, app.Probe.MaxRunning);
        Assert.All(samples, d => Assert.InRange(d.InFlight, 0, 2));
        Assert.Contains(samples, d => d is { InFlight: 2, Ready: 8 });
        await Eventually.Until(async () => (await app.DepthAsync()).Total == 0, "all are acknowledged");
    }

    [Fact]
    public async Task A_busy_worker_leaves_messages_for_others()
    {
        // Two workers on one broker: the second gets work although the first has room in its fetch batch.
        var broker = new InMemoryBroker();
        await using var first = TestApp.Create(c => c.AddTask<ScriptTask>().AddWorker(o => { TestApp.FastWorker(o); o.Concurrency = 1; }), broker: broker);
        await using var second = TestApp.Create(c => c.AddTask<ScriptTask>().AddWorker(o => { TestApp.FastWorker(o); o.Concurrency = 1; }), broker: broker);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        first.Probe.Handler = (_, _) => release.Task;
        second.Probe.Handler = (_, _) => release.Task;
        await first.EnqueueScriptAsync("a");
        await first.EnqueueScriptAsync("b");

        await first.StartAsync();
        await Eventually.Until(() => first.Probe.Running == 1, "the first worker runs one task");
        await second.StartAsync();
        await Eventually.Until(() => second.Probe.Running == 1, "the second worker runs the other");
        release.SetResult();
        await Eventually.Until(() => first.Probe.Finished.Count + second.Probe.Finished.Count == 2, "both finished");
    }
}
