using System.Diagnostics;
using Celeriac.Brokers;
using StackExchange.Redis;

namespace Celeriac.Redis.Tests;

/// <summary>
/// The blocking receive: a waiting receive is woken by the send itself and leases what it was given; whatever a
/// blocking read claimed without the adopting script behind it is adopted later or recovered, never lost.
/// A read claimed "by hand" (XREADGROUP from another connection, under the broker's consumer name) stands for a
/// blocking read whose connection broke before its adopting script ran.
/// </summary>
public sealed class RedisBlockingReceiveTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_waiting_receive_is_woken_by_the_send_and_leases_the_message()
    {
        var options = redis.NewOptions();
        using var worker = new RedisBroker(options);
        using var producer = new RedisBroker(options);
        Assert.Empty(await worker.ReceiveAsync(["q"], 8, Lease, TimeSpan.Zero, CancellationToken.None));

        var clock = Stopwatch.StartNew();
        var waiting = worker.ReceiveAsync(["q"], 8, Lease, TimeSpan.FromSeconds(20), CancellationToken.None).AsTask();
        await RedisServerFixture.UntilAReadBlocksAsync(options.ConnectionString);
        Assert.False(waiting.IsCompleted);
        await producer.SendAsync([new OutgoingMessage("q", "hello"u8.ToArray())], CancellationToken.None);
        var received = Assert.Single(await waiting);
        clock.Stop();

        Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(received.Body.Span));
        Assert.Equal(1, received.DeliveryCount);
        Assert.Equal(1, worker.BlockingDeliveries);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the receive waited {clock.Elapsed} for a message sent after 300 ms");
        // Leased, not merely claimed: it counts as in flight, the lease can be extended, and the ack removes it.
        Assert.Equal(new QueueDepth(0, 1, 0), await worker.GetDepthAsync("q", CancellationToken.None));
        await worker.ExtendLeaseAsync([received], Lease, CancellationToken.None);
        await worker.AckAsync([received], CancellationToken.None);
        Assert.Equal(default, await worker.GetDepthAsync("q", CancellationToken.None));
    }

    [Fact]
    public async Task The_blocked_read_has_a_connection_of_its_own_and_stalls_nothing_else()
    {
        var options = redis.NewOptions();
        options.MaxPollInterval = TimeSpan.FromSeconds(10);
        using var worker = new RedisBroker(options);
        Assert.Empty(await worker.ReceiveAsync(["q"], 8, Lease, TimeSpan.Zero, CancellationToken.None));
        var waiting = worker.ReceiveAsync(["q"], 8, Lease, TimeSpan.FromSeconds(20), CancellationToken.None).AsTask();
        using var admin = await ConnectionMultiplexer.ConnectAsync(options.ConnectionString + ",allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        Assert.True(await Eventually.Reached(async () => (await server.ClientListAsync()).Any(c => c.Name == "celeriac-receive" && c.LastCommand == "xreadgroup"), TimeSpan.FromSeconds(10)),
            "no connection named celeriac-receive blocked in XREADGROUP");

        // The same broker's other commands go over its shared connection while the read is blocked.
        var clock = Stopwatch.StartNew();
        Assert.Equal(default, await worker.GetDepthAsync("other", CancellationToken.None));
        await worker.SendAsync([new OutgoingMessage("other", "x"u8.ToArray())], CancellationToken.None);
        clock.Stop();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"commands beside the blocked read took {clock.Elapsed}");
        Assert.False(waiting.IsCompleted);

        await worker.SendAsync([new OutgoingMessage("q", "wake"u8.ToArray())], CancellationToken.None);
        var received = Assert.Single(await waiting);
        await worker.AckAsync([received], CancellationToken.None);
    }

    [Fact]
    public async Task A_message_claimed_by_a_lost_read_is_adopted_by_the_same_consumers_next_wait()
    {
        var options = redis.NewOptions();
        using var worker = new RedisBroker(options);
        Assert.Empty(await worker.ReceiveAsync(["q"], 8, Lease, TimeSpan.Zero, CancellationToken.None));
        await worker.SendAsync([new OutgoingMessage("q", "lost"u8.ToArray())], CancellationToken.None);
        using var direct = await ConnectionMultiplexer.ConnectAsync(options.ConnectionString);
        ClaimByHand(direct, options, worker.ConsumerName, "q");

        var received = Assert.Single(await worker.ReceiveAsync(["q"], 8, Lease, TimeSpan.FromSeconds(10), CancellationToken.None));

        Assert.Equal("lost", System.Text.Encoding.UTF8.GetString(received.Body.Span));
        Assert.Equal(1, received.DeliveryCount);
        await worker.AckAsync([received], CancellationToken.None);
        Assert.Equal(default, await worker.GetDepthAsync("q", CancellationToken.None));
    }

    [Fact]
    public async Task A_message_claimed_for_a_consumer_that_died_is_returned_by_the_orphan_scan()
    {
        var options = redis.NewOptions();
        using var worker = new RedisBroker(options);
        Assert.Empty(await worker.ReceiveAsync(["q"], 8, Lease, TimeSpan.Zero, CancellationToken.None));
        await worker.SendAsync([new OutgoingMessage("q", "orphan"u8.ToArray())], CancellationToken.None);
        using var direct = await ConnectionMultiplexer.ConnectAsync(options.ConnectionString);
        ClaimByHand(direct, options, "a-worker-that-died", "q");

        // Nobody can take it: it is claimed and has no lease that could expire.
        Assert.Empty(await worker.ReceiveAsync(["q"], 8, Lease, TimeSpan.FromMilliseconds(300), CancellationToken.None));
        // Not idle long enough yet: left alone (its read may still be adopting it).
        Assert.Equal(0, await worker.RecoverOrphansAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(1, await worker.RecoverOrphansAsync(TimeSpan.Zero));

        var received = Assert.Single(await worker.ReceiveAsync(["q"], 8, Lease, TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Equal("orphan", System.Text.Encoding.UTF8.GetString(received.Body.Span));
        Assert.Equal(2, received.DeliveryCount);
        await worker.AckAsync([received], CancellationToken.None);
        Assert.Equal(default, await worker.GetDepthAsync("q", CancellationToken.None));
        Assert.Equal(0, await worker.RecoverOrphansAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task Messages_claimed_beyond_the_receive_limit_go_back_for_the_next_receive()
    {
        var options = redis.NewOptions();
        using var worker = new RedisBroker(options);
        Assert.Empty(await worker.ReceiveAsync(["high", "low"], 8, Lease, TimeSpan.Zero, CancellationToken.None));
        await worker.SendAsync([new OutgoingMessage("high", "first"u8.ToArray()), new OutgoingMessage("low", "second"u8.ToArray())], CancellationToken.None);
        using var direct = await ConnectionMultiplexer.ConnectAsync(options.ConnectionString);
        // One blocking read over both streams claimed one message of each; the receive asked for one.
        ClaimByHand(direct, options, worker.ConsumerName, "high");
        ClaimByHand(direct, options, worker.ConsumerName, "low");

        var first = Assert.Single(await worker.ReceiveAsync(["high", "low"], 1, Lease, TimeSpan.FromSeconds(10), CancellationToken.None));
        var second = Assert.Single(await worker.ReceiveAsync(["high", "low"], 1, Lease, TimeSpan.FromSeconds(10), CancellationToken.None));

        Assert.Equal(("high", "first"), (first.Queue, System.Text.Encoding.UTF8.GetString(first.Body.Span)));
        Assert.Equal(("low", "second"), (second.Queue, System.Text.Encoding.UTF8.GetString(second.Body.Span)));
        // Given back unseen, so this is still its first delivery.
        Assert.Equal(1, second.DeliveryCount);
        await worker.AckAsync([first, second], CancellationToken.None);
        Assert.Equal(default, await worker.GetDepthAsync("high", CancellationToken.None));
        Assert.Equal(default, await worker.GetDepthAsync("low", CancellationToken.None));
    }

    [Fact]
    public async Task Cancelling_a_waiting_receive_returns_promptly_and_loses_nothing()
    {
        var options = redis.NewOptions();
        using var worker = new RedisBroker(options);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await worker.ReceiveAsync(["q"], 8, Lease, TimeSpan.FromSeconds(30), cancel.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"cancelled after 300 ms, returned after {clock.Elapsed}");

        await worker.SendAsync([new OutgoingMessage("q", "after"u8.ToArray())], CancellationToken.None);
        var received = Assert.Single(await worker.ReceiveAsync(["q"], 8, Lease, TimeSpan.FromSeconds(10), CancellationToken.None));
        Assert.Equal("after", System.Text.Encoding.UTF8.GetString(received.Body.Span));
        await worker.AckAsync([received], CancellationToken.None);
        Assert.Equal(default, await worker.GetDepthAsync("q", CancellationToken.None));
    }

    [Fact]
    public async Task The_blocking_connection_authenticates_and_selects_the_database_of_the_connection_string()
    {
        await using var server = await RedisServer.StartAsync(password: "not-a-real-secret");
        var options = new RedisBrokerOptions { ConnectionString = server.ConnectionString + ",defaultDatabase=3", KeyPrefix = "auth" };
        using var worker = new RedisBroker(options);
        using var producer = new RedisBroker(options);
        Assert.Empty(await worker.ReceiveAsync(["q"], 8, Lease, TimeSpan.Zero, CancellationToken.None));

        var waiting = worker.ReceiveAsync(["q"], 8, Lease, TimeSpan.FromSeconds(20), CancellationToken.None).AsTask();
        await RedisServerFixture.UntilAReadBlocksAsync(options.ConnectionString);
        await producer.SendAsync([new OutgoingMessage("q", "secret"u8.ToArray())], CancellationToken.None);
        var received = Assert.Single(await waiting);

        Assert.Equal(1, worker.BlockingDeliveries);
        await worker.AckAsync([received], CancellationToken.None);
        using var direct = await ConnectionMultiplexer.ConnectAsync(options.ConnectionString);
        Assert.True(await direct.GetDatabase(3).KeyExistsAsync("auth:{q}:stream"));
        Assert.False(await direct.GetDatabase(0).KeyExistsAsync("auth:{q}:stream"));
    }

    [Fact]
    public async Task With_blocking_off_a_waiting_receive_is_woken_by_pub_sub()
    {
        var options = redis.NewOptions();
        options.BlockingReceive = false;
        using var worker = new RedisBroker(options);
        using var producer = new RedisBroker(options);
        var waiting = worker.ReceiveAsync(["q"], 8, Lease, TimeSpan.FromSeconds(20), CancellationToken.None).AsTask();
        await RedisServerFixture.UntilSubscribedAsync(options.ConnectionString, options.KeyPrefix + ":ready");
        await producer.SendAsync([new OutgoingMessage("q", "notice"u8.ToArray())], CancellationToken.None);

        var received = Assert.Single(await waiting);
        Assert.Equal(0, worker.BlockingDeliveries);
        await worker.AckAsync([received], CancellationToken.None);
        Assert.Equal(default, await worker.GetDepthAsync("q", CancellationToken.None));
    }

    private static void ClaimByHand(ConnectionMultiplexer direct, RedisBrokerOptions options, string consumer, string queue)
    {
        var claimed = direct.GetDatabase().Execute("XREADGROUP", "GROUP", RedisKeys.Group, consumer, "COUNT", "1", "STREAMS", new RedisKeys(options.KeyPrefix).Stream(queue).ToString(), ">");
        Assert.False(claimed.IsNull, "nothing to claim");
    }
}
