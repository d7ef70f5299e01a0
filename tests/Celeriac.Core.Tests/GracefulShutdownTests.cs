using Celeriac.Brokers;
using Celeriac.Pipeline;
using Celeriac.Tests.Infrastructure;

namespace Celeriac.Tests;

public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task Running_tasks_finish_within_the_grace_and_are_acknowledged()
    {
        await using var app = TestApp.CreateWorker(o => { o.Concurrency = 2; o.ShutdownGrace = TimeSpan.FromSeconds(10); });
        app.Probe.Handler = (_, ctx) => Task.Delay(TimeSpan.FromSeconds(1), ctx.CancellationToken);
        for (var i = 0; i < 3; i++) await app.EnqueueScriptAsync("task-" + i);
        await app.StartAsync();
        await Eventually.Until(() => app.Probe.Running == 2, "two tasks run");

        await app.StopAsync();

        Assert.Equal(2, app.Probe.Finished.Count);
        Assert.All(app.Observer.Finished, f => Assert.Equal(TaskOutcome.Succeeded, f.Outcome));
        // Both acknowledged; the third was never taken from the queue.
        Assert.Equal(new QueueDepth(1, 0, 0), await app.DepthAsync());
        Assert.Empty(await app.DeadLettersAsync());
    }

    [Fact]
    public async Task A_task_past_the_grace_is_cancelled_and_its_message_released()
    {
        await using var app = TestApp.CreateWorker(o => o.ShutdownGrace = TimeSpan.FromMilliseconds(300));
        app.Probe.Handler = (_, ctx) => Task.Delay(TimeSpan.FromSeconds(30), ctx.CancellationToken);
        var id = await app.EnqueueScriptAsync("long");
        await app.StartAsync();
        await Eventually.Until(() => app.Probe.Running == 1, "the task runs");

        await app.StopAsync();

        Assert.Single(app.Probe.Finished);
        Assert.Equal(TaskOutcome.Released, Assert.Single(app.Observer.Finished).Outcome);
        Assert.Equal(new QueueDepth(1, 0, 0), await app.DepthAsync());
        Assert.Empty(await app.DeadLettersAsync());
        var again = Assert.Single(await app.Broker.ReceiveAsync(["default"], 10, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));
        var envelope = Envelope.EnvelopeSerializer.Deserialize(again.Body.Span);
        Assert.Equal(id, envelope.Id);
        Assert.Equal(0, envelope.Attempt);
    }

    [Fact]
    public async Task A_task_ignoring_cancellation_past_the_grace_has_its_message_released()
    {
        await using var app = TestApp.CreateWorker(o => o.ShutdownGrace = TimeSpan.FromMilliseconds(300));
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Probe.Handler = (_, _) => stuck.Task;
        await app.EnqueueScriptAsync("stubborn");
        await app.StartAsync();
        await Eventually.Until(() => app.Probe.Running == 1, "the task runs");

        await app.StopAsync();

        Assert.Equal(new QueueDepth(1, 0, 0), await app.DepthAsync());
        Assert.Empty(await app.DeadLettersAsync());
        stuck.SetResult();
    }

    [Fact]
    public async Task A_retry_due_during_shutdown_is_not_lost()
    {
        await using var app = TestApp.CreateWorker(script: o => { o.RetryBackoff = TimeSpan.FromSeconds(30); o.RetryJitter = false; });
        app.Probe.Handler = (_, _) => throw new InvalidOperationException("fails once");
        await app.EnqueueScriptAsync("retry-later");
        await app.StartAsync();
        await Eventually.Until(() => app.Observer.Finished.Any(), "the first attempt failed");

        await app.StopAsync();

        Assert.Equal(new QueueDepth(0, 0, 1), await app.DepthAsync());
    }
}
