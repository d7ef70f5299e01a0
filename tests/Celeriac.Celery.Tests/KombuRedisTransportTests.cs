using System.Globalization;
using System.Text.Json.Nodes;
using Celeriac.Brokers;
using Celeriac.Celery.Protocol;
using Celeriac.Celery.Redis;
using Celeriac.Celery.Tests.Infrastructure;
using StackExchange.Redis;

namespace Celeriac.Celery.Tests;

/// <summary>kombu's Redis layout as the transport writes and reads it on a real redis-server (kombu/transport/redis.py is what it follows).</summary>
public sealed class KombuRedisTransportTests(RedisCeleryFixture redis) : IClassFixture<RedisCeleryFixture>, IAsyncLifetime
{
    private readonly string _prefix = "k" + Guid.NewGuid().ToString("N")[..8] + ":";
    private ConnectionMultiplexer? _connection;

    private IDatabase Db => _connection!.GetDatabase();

    private KombuRedisTransport NewTransport() => new(new CeleryRedisOptions { ConnectionString = redis.BrokerUrl, KeyPrefix = _prefix, VisibilityTimeout = TimeSpan.FromSeconds(60) });

    private static OutgoingMessage Message(string queue, int priority, string id = "t-1") =>
        new(queue, new CeleryTaskMessage { Id = id, Task = "proj.add", Args = [1, 2], Priority = priority }.Encode(queue).ToBytes());

    public async Task InitializeAsync() => _connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Server.Port}");

    public Task DisposeAsync()
    {
        _connection?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Sends_go_to_kombus_list_for_the_priority_step_and_declare_the_queue_as_Celery_does()
    {
        using var transport = NewTransport();

        await transport.SendAsync([Message("q", 0), Message("q", 2, "t-2"), Message("q", 5, "t-3"), Message("q", 9, "t-4")], CancellationToken.None);

        Assert.Equal(2, await Db.ListLengthAsync(_prefix + "q"));
        Assert.Equal(1, await Db.ListLengthAsync(_prefix + "q\u0006\u00163"));
        Assert.Equal(0, await Db.ListLengthAsync(_prefix + "q\u0006\u00166"));
        Assert.Equal(1, await Db.ListLengthAsync(_prefix + "q\u0006\u00169"));
        Assert.Equal("q\u0006\u0016\u0006\u0016q", (string?)Assert.Single(await Db.SetMembersAsync(_prefix + "_kombu.binding.q")));
        // Step 0 first, oldest first.
        var received = await transport.ReceiveAsync(["q"], 4, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(["t-1", "t-2", "t-3", "t-4"], received.Select(m => KombuMessage.Parse(m.Body.Span).Headers["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_receive_records_the_message_in_unacked_as_kombu_does_and_scores_it_by_lease_and_visibility_timeout()
    {
        using var transport = NewTransport();
        await transport.SendAsync([Message("q", 0)], CancellationToken.None);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        var message = Assert.Single(await transport.ReceiveAsync(["q"], 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));

        var tag = KombuMessage.Parse(message.Body.Span).DeliveryTag!;
        var entry = JsonNode.Parse((string)(await Db.HashGetAsync(_prefix + "unacked", tag))!)!.AsArray();
        Assert.Equal(("", "q"), (entry[1]!.GetValue<string>(), entry[2]!.GetValue<string>()));
        Assert.Equal(tag, KombuMessage.Parse(System.Text.Encoding.UTF8.GetBytes(entry[0]!.ToJsonString())).DeliveryTag);
        // kombu restores once a score is more than the visibility timeout old: this one, when the 30 s lease runs out.
        var score = (await Db.SortedSetScoreAsync(_prefix + "unacked_index", tag))!.Value;
        Assert.InRange(score, before + 30 - 60 - 1, before + 30 - 60 + 5);
    }

    [Fact]
    public async Task An_ack_sent_while_a_lease_extension_is_under_way_still_settles_the_message()
    {
        using var transport = NewTransport();
        for (var i = 0; i < 20; i++)
        {
            await transport.SendAsync([Message("q", 0, "t-" + i.ToString(CultureInfo.InvariantCulture))], CancellationToken.None);
            var message = Assert.Single(await transport.ReceiveAsync(["q"], 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));

            // Both go out at once on one connection: the server applies the extension first, then the ack.
            var extend = transport.ExtendLeaseAsync([message], TimeSpan.FromSeconds(40), CancellationToken.None).AsTask();
            var ack = transport.AckAsync([message], CancellationToken.None).AsTask();
            await Task.WhenAll(extend, ack);

            Assert.Equal(0, await Db.HashLengthAsync(_prefix + "unacked"));
            Assert.Equal(0, await Db.SortedSetLengthAsync(_prefix + "unacked_index"));
        }
    }

    [Fact]
    public async Task A_message_a_kombu_worker_held_past_the_visibility_timeout_is_put_back_at_the_front_marked_redelivered()
    {
        using var transport = NewTransport();
        await transport.SendAsync([Message("q", 0, "waiting")], CancellationToken.None);
        // What a kombu worker that died leaves behind: its entry and an index score of its delivery time, two minutes ago.
        var held = new CeleryTaskMessage { Id = "held", Task = "proj.add" }.Encode("q");
        var tag = held.DeliveryTag!;
        await Db.HashSetAsync(_prefix + "unacked", tag, $"[{held.Root.ToJsonString()}, \"\", \"q\"]");
        await Db.SortedSetAddAsync(_prefix + "unacked_index", tag, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 120);

        Assert.Equal(1, await transport.RestoreExpiredAsync());

        var received = await transport.ReceiveAsync(["q"], 2, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None);
        var first = KombuMessage.Parse(received[0].Body.Span);
        Assert.Equal(("held", true, 2), (first.Headers["id"]!.GetValue<string>(), first.Redelivered, received[0].DeliveryCount));
        Assert.Equal("waiting", KombuMessage.Parse(received[1].Body.Span).Headers["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task What_is_not_a_kombu_message_is_dead_lettered_as_it_is_popped()
    {
        using var transport = NewTransport();
        await Db.ListLeftPushAsync(_prefix + "q", "not json at all");

        Assert.Empty(await transport.ReceiveAsync(["q"], 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));

        var letter = Assert.Single(await transport.ListDeadLettersAsync("q", 10, CancellationToken.None));
        Assert.Equal("not json at all", System.Text.Encoding.UTF8.GetString(letter.Body.Span));
        Assert.Contains("not a kombu message", letter.Reason, StringComparison.Ordinal);
        Assert.Equal(0, await Db.ListLengthAsync(_prefix + "q"));
    }
}
