using Celeriac.Client;
using Celeriac.Hosting;
using Celeriac.Locks;
using Celeriac.Results;
using Celeriac.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Redis.Tests;

/// <summary>Results, revocation and task locks through real workers on the Redis broker and store.</summary>
public sealed class RedisStoreFeatureTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private IHost BuildHost(RedisBrokerOptions options, Timeline timeline, Action<TaskOptions>? holdOptions = null, bool worker = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(timeline);
        builder.Services.AddCeleriac(celeriac =>
        {
            celeriac
                .UseRedisBroker(o =>
                {
                    o.ConnectionString = options.ConnectionString;
                    o.KeyPrefix = options.KeyPrefix;
                })
                .AddTask<EchoTask>(o => o.MaxRetries = 0)
                .AddTask<HoldTask>(o =>
                {
                    o.MaxRetries = 0;
                    holdOptions?.Invoke(o);
                });
            if (worker)
            {
                celeriac.AddWorker(w =>
                {
                    w.Concurrency = 4;
                    w.ReceiveWait = TimeSpan.FromMilliseconds(200);
                    w.ShutdownGrace = TimeSpan.FromSeconds(5);
                });
            }
        });
        return builder.Build();
    }

    [Fact]
    public async Task A_handle_returns_the_typed_result_or_the_task_failure()
    {
        using var host = BuildHost(redis.NewOptions(), new Timeline());
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<ITaskClient>();
            var control = host.Services.GetRequiredService<TaskControl>();
            var ok = control.Handle(await client.EnqueueAsync(new EchoArgs("celeriac")));
            var bad = control.Handle(await client.EnqueueAsync(new EchoArgs("fail")));

            Assert.Equal(new EchoResult("CELERIAC", 8), await ok.GetResultAsync<EchoResult>(Patience));
            var failure = await Assert.ThrowsAsync<TaskFailedException>(() => bad.GetResultAsync<EchoResult>(Patience));
            Assert.Equal(typeof(InvalidOperationException).FullName, failure.ExceptionType);
            Assert.Equal("asked to fail", failure.ExceptionMessage);
            await Assert.ThrowsAsync<TimeoutException>(() => control.Handle("no-such-task").GetResultAsync<EchoResult>(TimeSpan.FromMilliseconds(200)));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_revoked_queued_task_never_runs_and_a_revoked_running_task_is_cancelled()
    {
        var options = redis.NewOptions();
        var timeline = new Timeline();
        using var producer = BuildHost(options, timeline, worker: false);
        var client = producer.Services.GetRequiredService<ITaskClient>();
        var control = producer.Services.GetRequiredService<TaskControl>();
        var queued = await client.EnqueueAsync(new HoldArgs("queued", 10));
        await control.RevokeAsync(queued);

        using var host = BuildHost(options, timeline);
        await host.StartAsync();
        try
        {
            var running = await client.EnqueueAsync(new HoldArgs("running", 60_000));
            var other = await client.EnqueueAsync(new HoldArgs("other", 10));
            Assert.True(await Eventually.Reached(() => timeline.Runs.Any(r => r.TaskId == other), Patience));
            // The running task has not finished by itself; revoke it and it ends, cancelled, well before its 60 s.
            Assert.DoesNotContain(timeline.Runs, r => r.TaskId == running);
            await control.RevokeAsync(running);
            Assert.True(await Eventually.Reached(() => timeline.Runs.Any(r => r.TaskId == running), Patience));
            var run = Assert.Single(timeline.Runs, r => r.TaskId == running);
            Assert.True(run.Cancelled);
            Assert.DoesNotContain(timeline.Runs, r => r.TaskId == queued);
            var broker = host.Services.GetRequiredService<Celeriac.Brokers.IBroker>();
            Assert.True(await Eventually.Reached(async () => (await broker.GetDepthAsync("default", CancellationToken.None)).Total == 0, Patience));
            Assert.Empty(await host.Services.GetRequiredService<Celeriac.Brokers.IBrokerAdmin>().ListDeadLettersAsync(null, 10, CancellationToken.None));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Tasks_with_the_same_lock_key_never_run_at_the_same_time()
    {
        var options = redis.NewOptions();
        var timeline = new Timeline();
        Action<TaskOptions> locked = o =>
        {
            o.Lock = TaskLockMode.Wait;
            o.LockRetryDelay = TimeSpan.FromMilliseconds(100);
        };
        var hosts = new[] { BuildHost(options, timeline, locked), BuildHost(options, timeline, locked) };
        foreach (var host in hosts) await host.StartAsync();
        try
        {
            var client = hosts[0].Services.GetRequiredService<ITaskClient>();
            for (var i = 0; i < 4; i++) await client.EnqueueAsync(new HoldArgs("same", 300));
            await client.EnqueueAsync(new HoldArgs("different", 300));
            Assert.True(await Eventually.Reached(() => timeline.Runs.Count == 5, Patience));

            var same = timeline.Runs.Where(r => r.Name == "same").OrderBy(r => r.Start).ToList();
            Assert.Equal(4, same.Count);
            for (var i = 1; i < same.Count; i++) Assert.True(same[i].Start >= same[i - 1].End, "two runs with one lock key overlapped");
            var different = Assert.Single(timeline.Runs, r => r.Name == "different");
            // A different key is not held up behind the three waiting duplicates.
            Assert.True(different.Start < same[^1].Start);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.StopAsync();
                host.Dispose();
            }
        }
    }

    [Fact]
    public async Task Skip_at_enqueue_returns_the_holder_and_runs_the_task_once()
    {
        var options = redis.NewOptions();
        var timeline = new Timeline();
        using var host = BuildHost(options, timeline, o => o.Lock = TaskLockMode.SkipAtEnqueue);
        var client = host.Services.GetRequiredService<ITaskClient>();
        var first = await client.EnqueueAsync(new HoldArgs("unique", 200));
        var second = await client.EnqueueAsync(new HoldArgs("unique", 200));
        var other = await client.EnqueueAsync(new HoldArgs("another", 200));
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);

        await host.StartAsync();
        try
        {
            Assert.True(await Eventually.Reached(() => timeline.Runs.Count == 2, Patience));
            // Once it finished, the lock is free again and the same args can be enqueued anew.
            var third = await client.EnqueueAsync(new HoldArgs("unique", 10));
            Assert.NotEqual(first, third);
            Assert.True(await Eventually.Reached(() => timeline.Runs.Count == 3, Patience));
            Assert.Equal(2, timeline.Runs.Count(r => r.Name == "unique"));
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
