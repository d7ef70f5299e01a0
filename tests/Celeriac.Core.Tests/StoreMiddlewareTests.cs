using Celeriac.Client;
using Celeriac.Pipeline;
using Celeriac.RateLimits;
using Celeriac.Locks;
using Celeriac.Revocation;
using Celeriac.Tasks;
using Celeriac.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Tests;

/// <summary>Rate limits, locks, results and revocation on the in-memory store (the Redis and SQLite stores run the same contract).</summary>
public sealed class StoreMiddlewareTests
{
    [Theory]
    [InlineData("70/s", 70, 1)]
    [InlineData("1000/m", 1000, 60)]
    [InlineData(" 10 / h ", 10, 3600)]
    public void Rate_limits_parse(string text, int count, int seconds)
    {
        var limit = RateLimit.Parse(text);
        Assert.Equal(count, limit.Count);
        Assert.Equal(TimeSpan.FromSeconds(seconds), limit.Period);
    }

    [Theory]
    [InlineData("70")]
    [InlineData("0/s")]
    [InlineData("-1/s")]
    [InlineData("5/d")]
    [InlineData("/s")]
    public void Malformed_rate_limits_are_refused(string text) => Assert.Throws<FormatException>(() => RateLimit.Parse(text));

    [Fact]
    public async Task A_malformed_rate_limit_fails_at_start_up()
    {
        await using var app = TestApp.CreateWorker(script: o => o.RateLimit = "lots");
        await Assert.ThrowsAnyAsync<FormatException>(() => app.StartAsync());
    }

    [Fact]
    public async Task Tasks_over_the_rate_limit_are_released_not_failed()
    {
        await using var app = await TestApp.CreateWorker(script: o => o.RateLimit = "4/s").StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 6; i++) ids.Add(await app.EnqueueScriptAsync("ok"));

        await Eventually.Until(() => ids.All(id => app.Observer.Finished.Any(f => f.TaskId == id && f.Outcome == TaskOutcome.Succeeded)), "every task succeeded");
        Assert.Contains(app.Observer.Finished, f => f.Outcome == TaskOutcome.RateLimited);
        Assert.DoesNotContain(app.Observer.Finished, f => f.Outcome is TaskOutcome.Retried or TaskOutcome.DeadLettered);
        Assert.All(app.Observer.Finished, f => Assert.Equal(0, f.Attempt));
        var starts = app.Probe.Started.Count;
        Assert.Equal(6, starts);
    }

    [Fact]
    public async Task A_handle_returns_the_result_of_a_task_that_returns_one()
    {
        await using var app = await TestApp.CreateWorker(celeriac: c => c.AddTask<SumTask>()).StartAsync();
        var control = app.Services.GetRequiredService<TaskControl>();
        var handle = control.Handle(await app.Client.EnqueueAsync(new SumArgs(20, 22)));
        Assert.Equal(42, await handle.GetResultAsync<int>(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Skip_at_enqueue_sends_a_duplicate_only_once()
    {
        await using var app = TestApp.CreateWorker(script: o => o.Lock = TaskLockMode.SkipAtEnqueue);
        var first = await app.EnqueueScriptAsync("same");
        Assert.Equal(first, await app.EnqueueScriptAsync("same"));
        Assert.NotEqual(first, await app.EnqueueScriptAsync("other"));
        Assert.Equal(2, (await app.DepthAsync()).Total);
    }

    [Fact]
    public async Task A_revoked_task_is_discarded_when_received()
    {
        await using var app = TestApp.CreateWorker();
        var control = app.Services.GetRequiredService<TaskControl>();
        var revoked = await app.EnqueueScriptAsync("revoked");
        await control.RevokeAsync(revoked);
        var kept = await app.EnqueueScriptAsync("kept");
        await app.StartAsync();

        await Eventually.Until(() => app.Observer.Finished.Count >= 2, "both were received");
        await Eventually.Until(async () => (await app.DepthAsync()).Total == 0, "both are settled");
        Assert.Equal(TaskOutcome.Revoked, app.Observer.Finished.Single(f => f.TaskId == revoked).Outcome);
        Assert.Equal(TaskOutcome.Succeeded, app.Observer.Finished.Single(f => f.TaskId == kept).Outcome);
        Assert.Empty(await app.DeadLettersAsync());
    }

    [Fact]
    public async Task Revoking_a_task_name_discards_the_tasks_of_that_name_enqueued_before_but_not_after()
    {
        await using var app = TestApp.CreateWorker(celeriac: c => c.AddTask<SumTask>());
        var control = app.Services.GetRequiredService<TaskControl>();
        var before = new[] { await app.EnqueueScriptAsync("a"), await app.EnqueueScriptAsync("b") };
        var otherTask = await app.Client.EnqueueAsync(new SumArgs(1, 2));
        await Task.Delay(50);
        await control.RevokeTaskNameAsync("test.script");
        await Task.Delay(50);
        var after = await app.EnqueueScriptAsync("c");
        await app.StartAsync();

        await Eventually.Until(() => app.Observer.Finished.Count >= 4, "all four were received");
        Assert.All(before, id => Assert.Equal(TaskOutcome.Revoked, app.Observer.Finished.Single(f => f.TaskId == id).Outcome));
        Assert.Equal(TaskOutcome.Succeeded, app.Observer.Finished.Single(f => f.TaskId == after).Outcome);
        Assert.Equal(TaskOutcome.Succeeded, app.Observer.Finished.Single(f => f.TaskId == otherTask).Outcome);
    }

    [Fact]
    public async Task Store_options_bind_from_the_task_section()
    {
        await using var app = TestApp.CreateWorker(configuration: new Dictionary<string, string?>
        {
            ["Celeriac:Tasks:test.script:RateLimit"] = "1000/m",
            ["Celeriac:Tasks:test.script:Lock"] = "SkipAtEnqueue",
            ["Celeriac:Tasks:test.script:LockTtl"] = "00:02:00",
            ["Celeriac:Tasks:test.script:StoreResult"] = "true",
            ["Celeriac:Tasks:test.script:ResultExpires"] = "00:10:00",
        });
        Assert.True(app.Services.GetRequiredService<TaskRegistry>().TryGet("test.script", out var descriptor));
        var options = descriptor.Options;

        Assert.Equal("1000/m", options.RateLimit);
        Assert.Equal(TaskLockMode.SkipAtEnqueue, options.Lock);
        Assert.Equal(TimeSpan.FromMinutes(2), options.LockTtl);
        Assert.True(options.StoreResult);
        Assert.Equal(TimeSpan.FromMinutes(10), options.ResultExpires);
    }

    [Fact]
    public async Task A_handle_of_a_revoked_task_throws_task_revoked_exception()
    {
        await using var app = TestApp.CreateWorker(celeriac: c => c.AddTask<SumTask>());
        var control = app.Services.GetRequiredService<TaskControl>();
        var id = await app.Client.EnqueueAsync(new SumArgs(1, 2));
        await control.RevokeAsync(id);
        await app.StartAsync();

        var revoked = await Assert.ThrowsAsync<TaskRevokedException>(() => control.Handle(id).GetResultAsync<int>(TimeSpan.FromSeconds(30)));
        Assert.Equal(id, revoked.TaskId);
    }
}
