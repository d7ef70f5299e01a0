using Celeriac.Brokers;

namespace Celeriac.Redis.Tests;

/// <summary>Consumers of finished or dead workers leave the group, but never while they hold pending entries.</summary>
public sealed class RedisConsumerSweepTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task A_consumer_leaves_the_group_only_once_it_holds_nothing()
    {
        var options = redis.NewOptions();
        using var observer = new RedisBroker(options);
        await observer.SendAsync([new OutgoingMessage("q", "one"u8.ToArray()), new OutgoingMessage("q", "two"u8.ToArray())], CancellationToken.None);

        var tidy = new RedisBroker(options);
        var acked = await tidy.ReceiveAsync(["q"], 1, TimeSpan.FromMinutes(5), TimeSpan.Zero, CancellationToken.None);
        await tidy.AckAsync(acked, CancellationToken.None);
        var tidyName = tidy.ConsumerName;
        tidy.Dispose();
        Assert.DoesNotContain(tidyName, await observer.ConsumersAsync("q"));

        // A worker that dies holding a message: its consumer stays until someone else took the message over.
        var dead = new RedisBroker(options);
        Assert.Single(await dead.ReceiveAsync(["q"], 1, TimeSpan.FromSeconds(5), TimeSpan.Zero, CancellationToken.None));
        var deadName = dead.ConsumerName;
        dead.Dispose();
        Assert.Contains(deadName, await observer.ConsumersAsync("q"));
        await observer.ReceiveAsync(["q"], 1, TimeSpan.FromMinutes(5), TimeSpan.Zero, CancellationToken.None);
        await observer.SweepAsync(TimeSpan.Zero, null);
        Assert.Contains(deadName, await observer.ConsumersAsync("q"));

        var taken = new List<BrokerMessage>();
        Assert.True(await Eventually.Reached(async () =>
        {
            taken.AddRange(await observer.ReceiveAsync(["q"], 1, TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(100), CancellationToken.None));
            return taken.Count > 0;
        }, TimeSpan.FromSeconds(20)));
        Assert.Equal(2, taken[0].DeliveryCount);
        await observer.SweepAsync(TimeSpan.Zero, null);
        var left = await observer.ConsumersAsync("q");
        Assert.DoesNotContain(deadName, left);
        Assert.Contains(observer.ConsumerName, left);
    }
}
