using Celeriac.Brokers;
using Celeriac.Tests.Infrastructure;

namespace Celeriac.Tests;

[Collection(TimingCollection.Name)]
public sealed class LeaseHeartbeatTests
{
    private static async Task<List<QueueDepth>> RunLongTaskAsync(TestApp app, TimeSpan runFor)
    {
        // Only the first delivery is long, so that a redelivered message ends quickly.
        app.Probe.Handler = (_, ctx) => ctx.Message.DeliveryCount == 1 ? Task.Delay(runFor) : Task.CompletedTask;
        await app.StartAsync();
        await app.EnqueueScriptAsync("long");
        await Eventually.Until(() => app.Probe.Started.Any(), "the task started");

        var samples = new List<QueueDepth>();
        await Eventually.Until(async () =>
        {
            samples.Add(await app.DepthAsync());
            return app.Probe.Finished.Count >= 1 && app.Probe.Running == 0;
        }, "the task finished", TimeSpan.FromSeconds(15));
        return samples;
    }

    [Fact]
    public async Task A_task_longer_than_its_lease_is_kept_leased_and_runs_once()
    {
        // Two slots, so that a message whose lease lapsed would be picked up again by this very worker.
        await using var app = TestApp.CreateWorker(o => { o.Concurrency = 2; o.LeaseDuration = TimeSpan.FromSeconds(1); });

        var samples = await RunLongTaskAsync(app, TimeSpan.FromSeconds(3));

        Assert.All(samples.SkipLast(1), d => Assert.Equal(new QueueDepth(0, 1, 0), d));
        await Eventually.Until(async () => (await app.DepthAsync()).Total == 0, "the message is acknowledged");
        var run = Assert.Single(app.Probe.Started);
        Assert.Equal(1, run.DeliveryCount);
    }

    [Fact]
    public async Task Without_a_timely_heartbeat_the_lease_lapses_and_the_message_returns()
    {
        // The control experiment for the test above: the same task with heartbeats slower than the lease.
        await using var app = TestApp.CreateWorker(o =>
        {
            o.Concurrency = 2;
            o.LeaseDuration = TimeSpan.FromSeconds(1);
            o.HeartbeatInterval = TimeSpan.FromMinutes(1);
        });

        await RunLongTaskAsync(app, TimeSpan.FromSeconds(2.5));

        Assert.True(app.Probe.Started.Count >= 2, "the message was delivered again after its lease lapsed");
        Assert.Contains(app.Probe.Started, r => r.DeliveryCount == 2);
    }
}
