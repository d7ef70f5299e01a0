using System.Collections.Concurrent;
using System.Text;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Redis.Tests;

/// <summary>What the Redis broker promises beyond the contract: no duplicate from the delayed set, no Celery countdown trap.</summary>
public sealed class RedisBrokerTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Delayed_messages_due_together_reach_competing_receivers_exactly_once()
    {
        var options = redis.NewOptions();
        var brokers = Enumerable.Range(0, 4).Select(_ => new RedisBroker(options)).ToList();
        try
        {
            var due = DateTimeOffset.UtcNow.AddSeconds(1.5);
            await brokers[0].SendAsync([.. Enumerable.Range(0, 300).Select(i => new OutgoingMessage("q", Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), due))], CancellationToken.None);
            Assert.Equal(300, (await brokers[0].GetDepthAsync("q", CancellationToken.None)).Delayed);

            var seen = new ConcurrentBag<string>();
            using var stop = new CancellationTokenSource(Patience);
            await Task.WhenAll(brokers.Select(broker => Task.Run(async () =>
            {
                while (seen.Count < 300 && !stop.IsCancellationRequested)
                {
                    var batch = await broker.ReceiveAsync(["q"], 7, TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(200), CancellationToken.None);
                    foreach (var message in batch) seen.Add(Encoding.UTF8.GetString(message.Body.Span));
                    await broker.AckAsync(batch, CancellationToken.None);
                }
            })));

            Assert.Equal(300, seen.Count);
            Assert.Equal(300, seen.Distinct().Count());
            Assert.Equal(default, await brokers[0].GetDepthAsync("q", CancellationToken.None));
        }
        finally
        {
            foreach (var broker in brokers) broker.Dispose();
        }
    }

    [Fact]
    public async Task Dead_letters_are_listed_across_pages_oldest_first_and_filtered_by_queue()
    {
        // More than one page (500 entries) of the dead-letter stream, so that paging resumes after the last id seen.
        var options = redis.NewOptions();
        using var broker = new RedisBroker(options);
        using (var direct = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(options.ConnectionString))
        {
            var db = direct.GetDatabase();
            for (var i = 0; i < 1_100; i++)
            {
                await db.StreamAddAsync(options.KeyPrefix + ":dead",
                    [new("q", i % 2 == 0 ? "a" : "b"), new("b", Encoding.UTF8.GetBytes($"body {i}")), new("r", $"reason {i}"), new("t", 1_000 + i)]);
            }
        }

        var fromB = await broker.ListDeadLettersAsync("b", 10_000, CancellationToken.None);
        var first = await broker.ListDeadLettersAsync(null, 520, CancellationToken.None);

        Assert.Equal([.. Enumerable.Range(0, 550).Select(i => $"reason {i * 2 + 1}")], fromB.Select(d => d.Reason));
        Assert.All(fromB, d => Assert.Equal("b", d.Queue));
        Assert.Equal([.. Enumerable.Range(0, 520).Select(i => $"reason {i}")], first.Select(d => d.Reason));
        Assert.Equal("body 519", Encoding.UTF8.GetString(first[519].Body.Span));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_519), first[519].DeadLetteredAt);
        Assert.Equal(550, await broker.DeleteDeadLettersAsync([.. fromB.Select(d => d.Id), "not-an-id"], CancellationToken.None));
        Assert.Equal(550, (await broker.ListDeadLettersAsync(null, 10_000, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_countdown_longer_than_the_lease_runs_exactly_once()
    {
        // Celery on Redis redelivers a countdown task every visibility timeout until it is due; here the
        // countdown waits in the delayed set and the lease only starts on delivery. The tasks are shorter than the lease,
        // so that what is tested is the countdown, not how promptly a loaded machine renews leases.
        var options = redis.NewOptions();
        var counter = new Counter();
        var hosts = Enumerable.Range(0, 2).Select(_ => BuildHost(options, counter)).ToList();
        try
        {
            foreach (var host in hosts) await host.StartAsync();
            var client = hosts[0].Services.GetRequiredService<ITaskClient>();
            var ids = new List<string>();
            for (var i = 0; i < 5; i++)
                ids.Add(await client.EnqueueAsync(new CountArgs(300), new EnqueueOptions { Countdown = TimeSpan.FromSeconds(3.5) }));

            var broker = hosts[0].Services.GetRequiredService<IBroker>();
            Assert.True(await Eventually.Reached(async () => ids.All(counter.Runs.ContainsKey) && (await broker.GetDepthAsync("default", CancellationToken.None)).Total == 0, Patience));
            // Longer than a lease again, in case anything were still hidden somewhere.
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            Assert.All(ids, id => Assert.Equal(1, counter.Runs[id]));
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

    private static IHost BuildHost(RedisBrokerOptions options, Counter counter)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(counter);
        builder.Services.AddCeleriac(celeriac => celeriac
            .UseRedisBroker(o =>
            {
                o.ConnectionString = options.ConnectionString;
                o.KeyPrefix = options.KeyPrefix;
            })
            .AddTask<CountTask>()
            .AddWorker(w =>
            {
                w.Concurrency = 4;
                w.LeaseDuration = TimeSpan.FromSeconds(2);
                w.ReceiveWait = TimeSpan.FromMilliseconds(200);
                w.ShutdownGrace = TimeSpan.FromSeconds(5);
            }));
        return builder.Build();
    }
}
