using Celeriac.Pipeline;
using Celeriac.Tasks;
using Celeriac.Tests.Infrastructure;
using Celeriac.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Celeriac.TimeLimits;

namespace Celeriac.Tests;

[Collection(TimingCollection.Name)]
public sealed class TimeLimitTests
{
    [Fact]
    public async Task Soft_limit_cancels_the_token_and_is_not_retried_by_default()
    {
        await using var app = await TestApp.CreateWorker(script: o => { o.SoftTimeLimit = TimeSpan.FromMilliseconds(300); o.RetryBackoff = TimeSpan.FromMilliseconds(10); }).StartAsync();
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Probe.Handler = async (_, ctx) =>
        {
            using var registration = ctx.CancellationToken.Register(cancelled.SetResult);
            await Task.Delay(TimeSpan.FromSeconds(30), ctx.CancellationToken);
        };
        await app.EnqueueScriptAsync("slow");

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.Until(async () => (await app.DeadLettersAsync()).Count == 1, "the task is dead-lettered");
        var finish = Assert.Single(app.Observer.Finished);
        Assert.IsType<SoftTimeLimitExceededException>(finish.Exception);
        Assert.Equal(TaskOutcome.DeadLettered, finish.Outcome);
        Assert.Contains("SoftTimeLimitExceededException", Assert.Single(await app.DeadLettersAsync()).Reason);
        Assert.Single(app.Probe.Started);
    }

    [Fact]
    public async Task Soft_limit_is_retried_when_asked()
    {
        await using var app = await TestApp.CreateWorker(script: o =>
        {
            o.SoftTimeLimit = TimeSpan.FromMilliseconds(200);
            o.RetryOnTimeLimit = true;
            o.RetryBackoff = TimeSpan.FromMilliseconds(10);
        }).StartAsync();
        app.Probe.Handler = (_, ctx) => ctx.Attempt == 0 ? Task.Delay(TimeSpan.FromSeconds(30), ctx.CancellationToken) : Task.CompletedTask;
        await app.EnqueueScriptAsync("slow-once");

        await Eventually.Until(() => app.Observer.Finished.Any(f => f.Outcome == TaskOutcome.Succeeded), "the retry succeeded");
        Assert.IsType<SoftTimeLimitExceededException>(app.Observer.Finished.First().Exception);
        Assert.Equal(TaskOutcome.Retried, app.Observer.Finished.First().Outcome);
    }

    [Fact]
    public async Task A_task_within_its_limits_is_unaffected()
    {
        await using var app = await TestApp.CreateWorker(script: o => { o.SoftTimeLimit = TimeSpan.FromSeconds(5); o.HardTimeLimit = TimeSpan.FromSeconds(10); }).StartAsync();
        app.Probe.Handler = (_, ctx) => Task.Delay(50, ctx.CancellationToken);
        await app.EnqueueScriptAsync("quick");

        await Eventually.Until(() => app.Observer.Finished.Count == 1, "the task finished");
        Assert.Equal(TaskOutcome.Succeeded, app.Observer.Finished.Single().Outcome);
        Assert.False(app.Services.GetRequiredService<IWorkerLifetime>().IsRecycling);
    }

    public static TheoryData<string> RunawayKinds => ["awaits-without-token", "blocks-the-thread"];

    [Theory]
    [MemberData(nameof(RunawayKinds))]
    public async Task Hard_limit_dead_letters_recycles_the_worker_and_never_runs_the_task_twice(string kind)
    {
        // Short leases and a free slot: a message left unsettled would be redelivered within the task's run.
        await using var app = await TestApp.CreateWorker(
            o => { o.Concurrency = 2; o.LeaseDuration = TimeSpan.FromSeconds(2); },
            script: o => o.HardTimeLimit = TimeSpan.FromMilliseconds(500)).StartAsync();
        var runFor = TimeSpan.FromSeconds(4);
        app.Probe.Handler = (_, _) =>
        {
            if (kind == "blocks-the-thread")
            {
                Thread.Sleep(runFor);
                return Task.CompletedTask;
            }
            return Task.Delay(runFor);
        };
        await app.EnqueueScriptAsync("runaway");

        await Eventually.Until(async () => (await app.DeadLettersAsync()).Count == 1, "the task is dead-lettered");
        Assert.Contains("hard time limit", Assert.Single(await app.DeadLettersAsync()).Reason);
        var lifetime = app.Services.GetRequiredService<IWorkerLifetime>();
        Assert.True(lifetime.IsRecycling);
        Assert.Equal(WorkerExitCodes.HardTimeLimit, lifetime.ExitCode);
        Assert.Contains("hard time limit", lifetime.RecycleReason);
        Assert.True(app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        Assert.Equal(TaskOutcome.DeadLettered, Assert.Single(app.Observer.Finished).Outcome);
        Assert.IsType<HardTimeLimitExceededException>(app.Observer.Finished.Single().Exception);

        await Eventually.Until(() => app.Probe.Finished.Count == 1, "the runaway task ended on its own");
        Assert.Single(app.Probe.Started);
        Assert.Equal(0, (await app.DepthAsync()).Total);
    }
}
