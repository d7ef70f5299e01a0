using System.Text;
using Celeriac.Brokers;
using StackExchange.Redis;

namespace Celeriac.Redis.Tests;

/// <summary>
/// The receive script against entries written through the key layout of docs/redis.md, one receive at a time: a bad
/// entry is dead-lettered in the very read that delivers the good ones around it, nothing is left claimed without a
/// lease, a queue whose keys hold other types is skipped without stopping the others, and a failing script changes nothing.
/// </summary>
public sealed class RedisBadEntryTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private readonly RedisBrokerOptions _options = redis.NewOptions();
    private ConnectionMultiplexer? _raw;

    public async Task InitializeAsync() => _raw = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);

    public async Task DisposeAsync()
    {
        if (_raw is not null) await _raw.DisposeAsync();
    }

    private IDatabase Db => _raw!.GetDatabase();

    private RedisKey Key(string queue, string part) => $"{_options.KeyPrefix}:{{{queue}}}:{part}";

    private async Task<string> AddAsync(string queue, params object[] fields) => (string)(await Db.ExecuteAsync("XADD", [Key(queue, "stream"), "*", .. fields]))!;

    private static OutgoingMessage Good(string queue, string body) => new(queue, Encoding.UTF8.GetBytes(body));

    private static IEnumerable<string> Texts(IEnumerable<BrokerMessage> messages) => messages.Select(m => Encoding.UTF8.GetString(m.Body.Span));

    private async Task<long> PendingAsync(string queue) => (long)(await Db.ExecuteAsync("XPENDING", Key(queue, "stream"), RedisKeys.Group))[0];

    /// <summary>Entries claimed by the group's consumers, and lease members.</summary>
    private async Task<(long Pending, long Leases)> ClaimsAsync(string queue) => (await PendingAsync(queue), await Db.SortedSetLengthAsync(Key(queue, "leases")));

    [Fact]
    public async Task Bad_entries_are_dead_lettered_in_the_read_that_delivers_every_good_entry_around_them()
    {
        using var broker = new RedisBroker(_options);
        await broker.SendAsync([Good("q", "one"), Good("q", "two")], CancellationToken.None);
        await AddAsync("q", "d", "0");
        await AddAsync("q", "b", "x", "b", "y");
        await AddAsync("q", "b", "three", "d", "not a number");
        await Db.SortedSetAddAsync(Key("q", "leases"), "not-a-stream-id", 0);
        await broker.SendAsync([Good("q", "four")], CancellationToken.None);

        var received = await broker.ReceiveAsync(["q"], 10, Lease, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(["one", "two", "three", "four"], Texts(received));
        Assert.All(received, m => Assert.Equal(1, m.DeliveryCount));
        // Everything the read claimed is either leased and handed out, or gone to the dead letters.
        Assert.Equal((4L, 4L), await ClaimsAsync("q"));
        Assert.Equal(new QueueDepth(0, 4, 0), await broker.GetDepthAsync("q", CancellationToken.None));
        var letters = await broker.ListDeadLettersAsync("q", 10, CancellationToken.None);
        Assert.Equal(2, letters.Count);
        Assert.Contains("has no body field 'b' (it has fields 'd')", letters[0].Reason, StringComparison.Ordinal);
        Assert.True(letters[0].Body.IsEmpty);
        Assert.Contains("has 2 body fields 'b'", letters[1].Reason, StringComparison.Ordinal);
        Assert.Equal("x", Encoding.UTF8.GetString(letters[1].Body.Span));
        await broker.AckAsync(received, CancellationToken.None);
        Assert.Equal(default, await broker.GetDepthAsync("q", CancellationToken.None));
    }

    [Fact]
    public async Task A_blocked_receive_that_wakes_on_a_bad_entry_dead_letters_it_and_delivers_the_next_good_one()
    {
        using var broker = new RedisBroker(_options);
        await broker.SendAsync([Good("q", "first")], CancellationToken.None);
        await broker.AckAsync(await broker.ReceiveAsync(["q"], 1, Lease, TimeSpan.Zero, CancellationToken.None), CancellationToken.None);

        var waiting = broker.ReceiveAsync(["q"], 10, Lease, TimeSpan.FromSeconds(20), CancellationToken.None).AsTask();
        await RedisServerFixture.UntilAReadBlocksAsync(_options.ConnectionString);
        await AddAsync("q", "x", "no body");
        await AddAsync("q", "b", "good");

        var received = await waiting;
        Assert.Equal(["good"], Texts(received));
        Assert.Contains("has no body field 'b'", Assert.Single(await broker.ListDeadLettersAsync("q", 10, CancellationToken.None)).Reason, StringComparison.Ordinal);
        Assert.Equal((1L, 1L), await ClaimsAsync("q"));
    }

    [Fact]
    public async Task A_read_that_only_dead_letters_entries_looks_again_at_once_for_the_good_ones_behind_them()
    {
        // Waiting on pub/sub notices alone, with a poll interval far longer than the wait: only the script's own "look
        // again" can bring the good entry behind a run of bad ones (five reads' worth) before the wait ends.
        var options = redis.NewOptions();
        options.BlockingReceive = false;
        options.MaxPollInterval = TimeSpan.FromMinutes(1);
        using var broker = new RedisBroker(options);
        await broker.SendAsync([Good("q", "first")], CancellationToken.None);
        await broker.AckAsync(await broker.ReceiveAsync(["q"], 1, Lease, TimeSpan.Zero, CancellationToken.None), CancellationToken.None);
        RedisKey stream = $"{options.KeyPrefix}:{{q}}:stream";
        for (var i = 0; i < 10; i++) await Db.ExecuteAsync("XADD", stream, "*", "x", i);
        await Db.ExecuteAsync("XADD", stream, "*", "b", "good");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var received = await broker.ReceiveAsync(["q"], 2, Lease, TimeSpan.FromSeconds(20), CancellationToken.None);

        Assert.Equal(["good"], Texts(received));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the good entry came after {clock.Elapsed}");
        Assert.Equal(10, (await broker.ListDeadLettersAsync("q", 100, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Dead_letters_written_by_others_are_listed_with_what_they_hold()
    {
        // P:dead is part of the published layout too: a foreign entry must not break the listing (the CLI, the dashboard).
        using var broker = new RedisBroker(_options);
        RedisKey dead = $"{_options.KeyPrefix}:dead";
        await Db.ExecuteAsync("XADD", dead, "*", "q", "q", "b", "one", "r", "foreign", "t", "yesterday");
        await Db.ExecuteAsync("XADD", dead, "*", "q", "q", "t", "99999999999999999999999");
        await Db.ExecuteAsync("XADD", dead, "*", "q", "q", "t", "-5", "r", new byte[] { 0xff });
        await Db.ExecuteAsync("XADD", dead, "*", "x", "y");

        var letters = await broker.ListDeadLettersAsync("q", 10, CancellationToken.None);

        Assert.Equal(3, letters.Count);
        Assert.Equal("foreign", letters[0].Reason);
        Assert.Equal("one", Encoding.UTF8.GetString(letters[0].Body.Span));
        Assert.All(letters, l => Assert.Equal(DateTimeOffset.UnixEpoch, l.DeadLetteredAt));
        Assert.Equal("", letters[1].Reason);
        Assert.True(letters[1].Body.IsEmpty);
        Assert.Equal(4, (await broker.ListDeadLettersAsync(null, 10, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Delayed_members_that_are_malformed_run_or_are_dead_lettered_on_their_own()
    {
        using var broker = new RedisBroker(_options);
        await broker.SendAsync([Good("q", "ready")], CancellationToken.None);
        await Db.SortedSetAddAsync(Key("q", "delayed"), [new("no-colon", 0), new("5:many", 0), new("6:0", 0), new("7:0", double.PositiveInfinity)]);
        await Db.HashSetAsync(Key("q", "bodies"), [new("no-colon", "a"), new("5:many", "b"), new("7:0", "never")]);

        var received = await broker.ReceiveAsync(["q"], 10, Lease, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(["ready", "b", "a"], Texts(received)); // due together: in member order, "5:many" before "no-colon"
        Assert.All(received, m => Assert.Equal(1, m.DeliveryCount));
        // The member due at infinity is found when the queue is idle.
        Assert.Empty(await broker.ReceiveAsync(["q"], 10, Lease, TimeSpan.Zero, CancellationToken.None));

        var letters = await broker.ListDeadLettersAsync("q", 10, CancellationToken.None);
        Assert.Equal(2, letters.Count);
        Assert.Contains("the delayed member '6:0' has no body in", letters[0].Reason, StringComparison.Ordinal);
        Assert.Contains("the delayed member '7:0' is due after the year 9999 (score inf)", letters[1].Reason, StringComparison.Ordinal);
        Assert.Equal("never", Encoding.UTF8.GetString(letters[1].Body.Span));
        Assert.Equal(new QueueDepth(0, 3, 0), await broker.GetDepthAsync("q", CancellationToken.None));
    }

    [Fact]
    public async Task A_queue_whose_keys_hold_other_types_is_skipped_and_nothing_of_it_is_claimed()
    {
        using var broker = new RedisBroker(_options);
        await Db.StringSetAsync(Key("stream-is-a-string", "stream"), "oops");
        await broker.SendAsync([Good("leases-is-a-string", "waits"), Good("fine", "runs")], CancellationToken.None);
        await Db.StringSetAsync(Key("leases-is-a-string", "leases"), "oops");

        var received = await broker.ReceiveAsync(["stream-is-a-string", "leases-is-a-string", "fine"], 10, Lease, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(["runs"], Texts(received));
        // The skipped queue's entry was not claimed: once its key is repaired, it is delivered.
        Assert.Equal(0L, await PendingAsync("leases-is-a-string"));
        await Db.KeyDeleteAsync(Key("leases-is-a-string", "leases"));
        Assert.Equal(["waits"], Texts(await broker.ReceiveAsync(["leases-is-a-string"], 10, Lease, TimeSpan.Zero, CancellationToken.None)));
    }

    [Fact]
    public async Task A_dead_letter_key_of_another_type_fails_the_receive_before_anything_is_claimed()
    {
        using var broker = new RedisBroker(_options);
        await broker.SendAsync([Good("q", "waits")], CancellationToken.None);
        await Db.StringSetAsync($"{_options.KeyPrefix}:dead", "oops");

        var error = await Assert.ThrowsAsync<RedisServerException>(() => broker.ReceiveAsync(["q"], 10, Lease, TimeSpan.Zero, CancellationToken.None).AsTask());
        Assert.Contains("the dead-letter key", error.Message, StringComparison.Ordinal);
        Assert.Equal((0L, 0L), await ClaimsAsync("q"));

        await Db.KeyDeleteAsync($"{_options.KeyPrefix}:dead");
        Assert.Equal(["waits"], Texts(await broker.ReceiveAsync(["q"], 10, Lease, TimeSpan.Zero, CancellationToken.None)));
    }

    [Fact]
    public async Task Dead_lettering_an_entry_without_a_body_keeps_the_reason()
    {
        // The receive never hands such an entry out; the dead-letter script must still cope with one.
        using var broker = new RedisBroker(_options);
        await broker.SendAsync([Good("q", "makes the group")], CancellationToken.None);
        await broker.AckAsync(await broker.ReceiveAsync(["q"], 1, Lease, TimeSpan.Zero, CancellationToken.None), CancellationToken.None);
        var id = await AddAsync("q", "x", "1");
        await Db.ExecuteAsync("XREADGROUP", "GROUP", RedisKeys.Group, "someone", "COUNT", 1, "STREAMS", Key("q", "stream"), ">");
        var message = new BrokerMessage { Queue = "q", Body = Array.Empty<byte>(), Receipt = $"{id}#1", BrokerState = new RedisReceipt(id, 1) };

        await broker.DeadLetterAsync(message, "given up", CancellationToken.None);

        var letter = Assert.Single(await broker.ListDeadLettersAsync("q", 10, CancellationToken.None));
        Assert.Equal("given up", letter.Reason);
        Assert.True(letter.Body.IsEmpty);
        Assert.Equal((0L, 0L), await ClaimsAsync("q"));
    }
}
