using Celeriac.Tests.Infrastructure;
using Celeriac.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Tests;

[Collection(TimingCollection.Name)]
public sealed class WorkerHealthTests
{
    [Fact]
    public void Readiness_follows_start_broker_state_and_draining()
    {
        var health = new WorkerHealth(new ManualTimeProvider());
        Assert.Equal((false, "starting"), health.Readiness());

        health.Started();
        Assert.Equal((true, "ok"), health.Readiness());

        health.BrokerFailed("connection refused");
        Assert.Equal((false, "broker unreachable: connection refused"), health.Readiness());

        health.BrokerOk();
        Assert.Equal((true, "ok"), health.Readiness());

        health.Draining();
        Assert.Equal((false, "draining"), health.Readiness());
    }

    [Fact]
    public void Liveness_fails_when_the_fetch_loop_stalls_and_recovers_when_it_turns()
    {
        var time = new ManualTimeProvider();
        var health = new WorkerHealth(time) { StallAfter = TimeSpan.FromMinutes(2) };

        time.Advance(TimeSpan.FromMinutes(10));
        Assert.True(health.Liveness().Ok, "not started yet: alive");

        health.Started();
        var (ok, detail) = health.Liveness();
        Assert.False(ok);
        Assert.Contains("stalled", detail);

        health.LoopTurned();
        Assert.True(health.Liveness().Ok);
        time.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
        Assert.True(health.Liveness().Ok);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(health.Liveness().Ok);

        health.Draining();
        Assert.True(health.Liveness().Ok, "a draining worker is not restarted for not fetching");
    }

    [Fact]
    public async Task A_running_worker_reports_broker_outages_and_draining()
    {
        await using var app = TestApp.CreateWorker(record: true);
        var health = app.Services.GetRequiredService<WorkerHealth>();
        Assert.False(health.Readiness().Ok);
        await app.StartAsync();
        Assert.True(health.Readiness().Ok);

        app.Recording.ReceiveFailure = new IOException("broker down");
        await Eventually.Until(() => health.Readiness().Detail == "broker unreachable: broker down", "the outage is reported");
        app.Recording.ReceiveFailure = null;
        await Eventually.Until(() => health.Readiness().Ok, "the worker is ready again");

        await app.EnqueueScriptAsync("after-outage");
        await Eventually.Until(() => app.Probe.Finished.Count == 1, "work resumes");

        await app.StopAsync();
        Assert.Equal((false, "draining"), health.Readiness());
    }

    [Fact]
    public async Task After_a_long_outage_readiness_follows_the_broker_within_one_probe_period()
    {
        await using var app = TestApp.CreateWorker(record: true);
        var health = app.Services.GetRequiredService<WorkerHealth>();
        await app.StartAsync();
        app.Recording.ReceiveFailure = new IOException("broker down");
        await Eventually.Until(() => !health.Readiness().Ok, "the outage is reported");
        // The receive backoff doubles from 100 ms up to its 2 s cap (WorkerService.BrokerRetryMax): after seven failed
        // receives the worker is waiting the longest it ever waits between two.
        await Eventually.Until(() => app.Recording.FailedReceives >= 7, "the receive backoff reached its cap");

        app.Recording.ReceiveFailure = null;
        var back = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.Until(() => health.Readiness().Ok, "the worker is ready again", TimeSpan.FromSeconds(30));

        // The operator's readiness probe runs every 5 s: the next probe after the broker returns sees it.
        Assert.True(back.Elapsed < TimeSpan.FromSeconds(4), $"ready {back.Elapsed.TotalSeconds:0.0}s after the broker came back");
    }

    [Fact]
    public async Task A_worker_busy_with_long_tasks_stays_alive()
    {
        // Every slot busy for longer than the stall window: the loop waits for a slot, it has not stalled.
        await using var app = TestApp.CreateWorker(o => { o.Concurrency = 1; o.ReceiveWait = TimeSpan.FromMilliseconds(100); });
        var health = app.Services.GetRequiredService<WorkerHealth>();
        health.StallAfter = TimeSpan.FromSeconds(1);
        app.Probe.Handler = (_, _) => Task.Delay(TimeSpan.FromSeconds(2.5));
        await app.StartAsync();
        await app.EnqueueScriptAsync("long");
        await Eventually.Until(() => app.Probe.Running == 1, "the task runs");

        var verdicts = new List<(bool Ok, string Detail)>();
        await Eventually.Until(() =>
        {
            verdicts.Add(health.Liveness());
            return app.Probe.Finished.Count == 1;
        }, "the task finished");

        Assert.All(verdicts, v => Assert.True(v.Ok, v.Detail));
    }
}
