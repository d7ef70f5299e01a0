using System.Collections.Concurrent;
using Celeriac.Client;
using Celeriac.Pipeline;
using Celeriac.Tasks;
using Celeriac.Tests.Infrastructure;

namespace Celeriac.Tests;

/// <summary>Success, retries, dead letters, expiry and acks-early, end to end on the in-memory broker.</summary>
public sealed class WorkerPipelineTests
{
    private static TaskOptions NoJitter(TaskOptions o, TimeSpan backoff, int maxRetries)
    {
        o.RetryBackoff = backoff;
        o.RetryJitter = false;
        o.MaxRetries = maxRetries;
        return o;
    }

    [Fact]
    public async Task Success_is_acknowledged()
    {
        await using var app = await TestApp.CreateWorker().StartAsync();
        var id = await app.EnqueueScriptAsync("ok");

        await Eventually.Until(() => app.Observer.Finished.Any(f => f.TaskId == id), "the task finished");
        await Eventually.Until(async () => (await app.DepthAsync()).Total == 0, "the message is acknowledged");
        Assert.Equal(TaskOutcome.Succeeded, Assert.Single(app.Observer.Finished).Outcome);
        Assert.Empty(await app.DeadLettersAsync());
        Assert.Single(app.Probe.Started);
    }

    [Fact]
    public async Task A_failure_is_re_sent_with_attempt_plus_one_after_the_backoff()
    {
        var backoff = TimeSpan.FromSeconds(2);
        await using var app = await TestApp.CreateWorker(script: o => NoJitter(o, backoff, 3), record: true).StartAsync();
        DateTimeOffset failedAt = default;
        app.Probe.Handler = (_, ctx) =>
        {
            if (ctx.Attempt > 0) return Task.CompletedTask;
            failedAt = DateTimeOffset.UtcNow;
            throw new InvalidOperationException("transient");
        };
        var id = await app.EnqueueScriptAsync("flaky");

        await Eventually.Until(() => app.Recording.SentMessages.Count == 2, "the retry was re-sent");
        var original = app.Recording.SentMessages.First().Envelope;
        var retry = app.Recording.SentMessages.Last();
        Assert.Equal(id, retry.Envelope.Id);
        Assert.Equal(1, retry.Envelope.Attempt);
        Assert.Equal(original.Task, retry.Envelope.Task);
        Assert.Equal(original.Args.GetRawText(), retry.Envelope.Args.GetRawText());
        Assert.Equal(original.Created, retry.Envelope.Created);
        Assert.NotNull(retry.Message.NotBefore);
        Assert.InRange(retry.Message.NotBefore!.Value - failedAt, backoff, backoff + TimeSpan.FromSeconds(1));
        Assert.Equal(retry.Message.NotBefore, retry.Envelope.Eta);

        // Not receivable before the delay: it waits as delayed, and the failed delivery itself is gone.
        await Eventually.Until(async () => (await app.DepthAsync()).InFlight == 0, "the failed delivery is acknowledged");
        Assert.Equal(1, (await app.DepthAsync()).Delayed);

        await Eventually.Until(() => app.Probe.Finished.Any(r => r.Attempt == 1), "the retry ran");
        var second = app.Probe.Started.Single(r => r.Attempt == 1);
        Assert.True(second.At >= retry.Message.NotBefore.Value.AddMilliseconds(-5), $"the retry ran at {second.At:O}, before {retry.Message.NotBefore:O}");
        await Eventually.Until(async () => (await app.DepthAsync()).Total == 0, "the retry is acknowledged");
        Assert.Equal([TaskOutcome.Retried, TaskOutcome.Succeeded], app.Observer.Finished.Select(f => f.Outcome));
        Assert.Empty(await app.DeadLettersAsync());
    }

    [Fact]
    public async Task Exhausted_retries_dead_letter_with_the_reason()
    {
        await using var app = await TestApp.CreateWorker(script: o => NoJitter(o, TimeSpan.FromMilliseconds(50), 2)).StartAsync();
        app.Probe.Handler = (_, _) => throw new InvalidOperationException("always broken");
        await app.EnqueueScriptAsync("broken");

        await Eventually.Until(async () => (await app.DeadLettersAsync()).Count == 1, "the task is dead-lettered");
        var letter = Assert.Single(await app.DeadLettersAsync());
        Assert.Contains("max retries (2)", letter.Reason);
        Assert.Contains("InvalidOperationException", letter.Reason);
        Assert.Contains("always broken", letter.Reason);
        Assert.Equal(2, Envelope.EnvelopeSerializer.Deserialize(letter.Body.Span).Attempt);
        Assert.Equal([0, 1, 2], app.Probe.Started.Select(r => r.Attempt));
        Assert.Equal(0, (await app.DepthAsync()).Total);
        Assert.Equal([TaskOutcome.Retried, TaskOutcome.Retried, TaskOutcome.DeadLettered], app.Observer.Finished.Select(f => f.Outcome));
    }

    [Fact]
    public async Task Do_not_retry_on_dead_letters_at_once()
    {
        await using var app = await TestApp.CreateWorker(script: o => NoJitter(o, TimeSpan.FromMilliseconds(50), 5).DoNotRetryOn<ArgumentException>()).StartAsync();
        app.Probe.Handler = (_, _) => throw new ArgumentNullException("input");
        await app.EnqueueScriptAsync("bad-input");

        await Eventually.Until(async () => (await app.DeadLettersAsync()).Count == 1, "the task is dead-lettered");
        Assert.StartsWith("not retryable: ArgumentNullException", Assert.Single(await app.DeadLettersAsync()).Reason);
        Assert.Single(app.Probe.Started);
    }

    [Fact]
    public async Task Retry_on_retries_only_the_listed_exceptions()
    {
        await using var app = await TestApp.CreateWorker(script: o => NoJitter(o, TimeSpan.FromMilliseconds(50), 5).RetryOn<TimeoutException>()).StartAsync();
        app.Probe.Handler = (args, ctx) => args.Label switch
        {
            "timeout" when ctx.Attempt == 0 => throw new TimeoutException("slow peer"),
            "bug" => throw new InvalidOperationException("bug"),
            _ => Task.CompletedTask,
        };
        await app.EnqueueScriptAsync("timeout");
        await app.EnqueueScriptAsync("bug");

        await Eventually.Until(() => app.Probe.Finished.Any(r => r.Label == "timeout" && r.Attempt == 1), "the timeout was retried");
        await Eventually.Until(async () => (await app.DeadLettersAsync()).Count == 1, "the bug is dead-lettered");
        Assert.Contains("not retryable: InvalidOperationException", Assert.Single(await app.DeadLettersAsync()).Reason);
        Assert.Single(app.Probe.StartedWith("bug"));
    }

    [Fact]
    public async Task Reject_dead_letters_at_once()
    {
        await using var app = await TestApp.CreateWorker(script: o => NoJitter(o, TimeSpan.FromMilliseconds(50), 5)).StartAsync();
        app.Probe.Handler = (_, _) => throw new RejectTaskException("customer deleted");
        await app.EnqueueScriptAsync("reject");

        await Eventually.Until(async () => (await app.DeadLettersAsync()).Count == 1, "the task is dead-lettered");
        var reason = Assert.Single(await app.DeadLettersAsync()).Reason;
        Assert.StartsWith("rejected by the task", reason);
        Assert.Contains("customer deleted", reason);
        Assert.Single(app.Probe.Started);
    }

    [Fact]
    public async Task Retry_task_exception_uses_its_own_delay()
    {
        var delay = TimeSpan.FromMilliseconds(400);
        await using var app = await TestApp.CreateWorker(script: o => NoJitter(o, TimeSpan.FromHours(1), 3), record: true).StartAsync();
        DateTimeOffset failedAt = default;
        app.Probe.Handler = (_, ctx) =>
        {
            if (ctx.Attempt > 0) return Task.CompletedTask;
            failedAt = DateTimeOffset.UtcNow;
            throw new RetryTaskException(delay, "rate limited upstream");
        };
        await app.EnqueueScriptAsync("again");

        await Eventually.Until(() => app.Probe.Finished.Any(r => r.Attempt == 1), "the retry ran");
        var retry = app.Recording.SentMessages.Last();
        Assert.Equal(1, retry.Envelope.Attempt);
        Assert.InRange(retry.Message.NotBefore!.Value - failedAt, delay, delay + TimeSpan.FromSeconds(1));
        Assert.Contains(app.Observer.Finished, f => f.Outcome == TaskOutcome.Retried && f.Exception is RetryTaskException);
    }

    [Fact]
    public async Task Retry_task_exception_counts_against_max_retries()
    {
        await using var app = await TestApp.CreateWorker(script: o => NoJitter(o, TimeSpan.FromHours(1), 1)).StartAsync();
        app.Probe.Handler = (_, _) => throw new RetryTaskException(TimeSpan.FromMilliseconds(10));
        await app.EnqueueScriptAsync("forever");

        await Eventually.Until(async () => (await app.DeadLettersAsync()).Count == 1, "the task is dead-lettered");
        Assert.Contains("max retries (1)", Assert.Single(await app.DeadLettersAsync()).Reason);
        Assert.Equal(2, app.Probe.Started.Count);
    }

    [Fact]
    public async Task An_expired_message_is_discarded_and_counted_not_run()
    {
        await using var app = await TestApp.CreateWorker().StartAsync();
        var expired = await app.EnqueueScriptAsync("stale", new EnqueueOptions { Expires = DateTimeOffset.UtcNow.AddSeconds(-1) });
        var fresh = await app.EnqueueScriptAsync("fresh", new EnqueueOptions { ExpiresIn = TimeSpan.FromMinutes(5) });

        await Eventually.Until(() => app.Observer.Finished.Count == 2, "both messages were handled");
        Assert.Equal(TaskOutcome.Expired, app.Observer.Finished.Single(f => f.TaskId == expired).Outcome);
        Assert.Equal(TaskOutcome.Succeeded, app.Observer.Finished.Single(f => f.TaskId == fresh).Outcome);
        Assert.Equal(["fresh"], app.Probe.Started.Select(r => r.Label));
        await Eventually.Until(async () => (await app.DepthAsync()).Total == 0, "both are acknowledged");
        Assert.Empty(await app.DeadLettersAsync());
    }

    [Fact]
    public async Task Acks_early_acknowledges_before_the_task_runs()
    {
        await using var app = await TestApp.CreateWorker(o => o.Concurrency = 1, script: o => o.AcksLate = false).StartAsync();
        var depthAtStart = new ConcurrentQueue<Brokers.QueueDepth>();
        // At-most-once: when the task starts, the broker has already deleted its message.
        app.Probe.Handler = async (_, _) => depthAtStart.Enqueue(await app.DepthAsync());
        for (var i = 0; i < 5; i++) await app.EnqueueScriptAsync("early-" + i);

        await Eventually.Until(() => app.Probe.Finished.Count == 5, "all ran");
        Assert.All(depthAtStart, d => Assert.Equal(0, d.InFlight));
    }

    [Fact]
    public async Task Acks_early_task_that_fails_is_still_retried()
    {
        await using var app = await TestApp.CreateWorker(script: o => { o.AcksLate = false; o.RetryBackoff = TimeSpan.FromMilliseconds(10); }).StartAsync();
        app.Probe.Handler = (_, ctx) => ctx.Attempt == 0 ? throw new InvalidOperationException("once") : Task.CompletedTask;
        await app.EnqueueScriptAsync("early-retry");

        await Eventually.Until(() => app.Probe.Finished.Any(r => r.Attempt == 1), "the retry ran");
        await Eventually.Until(async () => (await app.DepthAsync()).Total == 0, "nothing is left");
    }

    [Fact]
    public async Task Acks_late_keeps_the_message_leased_while_the_task_runs()
    {
        await using var app = await TestApp.CreateWorker().StartAsync();
        var depthWhileRunning = new TaskCompletionSource<Brokers.QueueDepth>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Probe.Handler = async (_, _) => depthWhileRunning.TrySetResult(await app.DepthAsync());
        await app.EnqueueScriptAsync("late");

        Assert.Equal(new Brokers.QueueDepth(0, 1, 0), await depthWhileRunning.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_task_with_a_result_and_a_task_from_di_run()
    {
        await using var app = await TestApp.CreateWorker(celeriac: c => c.AddTask<SumTask>()).StartAsync();
        var id = await app.Client.EnqueueAsync(new SumArgs(2, 3));

        await Eventually.Until(() => app.Observer.Finished.Any(f => f.TaskId == id), "the task finished");
        Assert.Equal(TaskOutcome.Succeeded, app.Observer.Finished.Single().Outcome);
    }
}
