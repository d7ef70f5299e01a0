using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Celeriac.Brokers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Celeriac.Sqlite.Tests;

/// <summary>What only the SQLite broker promises: durability, several processes on one file, its schema.</summary>
public sealed class SqliteBrokerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LongLease = TimeSpan.FromMinutes(5);
    private readonly TempDatabase _database = new();
    private readonly List<SqliteBroker> _brokers = [];

    private SqliteBroker Open()
    {
        var broker = _database.Open();
        _brokers.Add(broker);
        return broker;
    }

    public void Dispose()
    {
        foreach (var broker in _brokers) broker.Dispose();
        _database.Dispose();
    }

    private static OutgoingMessage Message(string queue, string body, DateTimeOffset? notBefore = null) => new(queue, Encoding.UTF8.GetBytes(body), notBefore);

    private static string Text(BrokerMessage message) => Encoding.UTF8.GetString(message.Body.Span);

    private static async Task<List<BrokerMessage>> ReceiveAtLeastAsync(IBroker broker, string queue, int count, TimeSpan? lease = null)
    {
        var received = new List<BrokerMessage>();
        var clock = Stopwatch.StartNew();
        while (received.Count < count && clock.Elapsed < Patience)
            received.AddRange(await broker.ReceiveAsync([queue], count - received.Count, lease ?? LongLease, TimeSpan.FromMilliseconds(250), CancellationToken.None));
        Assert.True(received.Count >= count, $"Received {received.Count} of {count} within {Patience}.");
        return received;
    }

    private SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _database.Path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    [Fact]
    public async Task Messages_and_dead_letters_survive_closing_and_reopening_the_file()
    {
        using (var first = _database.Open())
        {
            await first.SendAsync([Message("q", "a"), Message("q", "b"), Message("q", "c"), Message("q", "later", DateTimeOffset.UtcNow.AddHours(1))], CancellationToken.None);
            var poison = (await ReceiveAtLeastAsync(first, "q", 1)).Single();
            await first.DeadLetterAsync(poison, "poison", CancellationToken.None);
        }

        var reopened = Open();
        Assert.Equal(new QueueDepth(2, 0, 1), await reopened.GetDepthAsync("q", CancellationToken.None));
        Assert.Equal(["q"], await reopened.ListQueuesAsync(CancellationToken.None));
        var letter = Assert.Single(await reopened.ListDeadLettersAsync("q", 10, CancellationToken.None));
        Assert.Equal("poison", letter.Reason);
        Assert.Equal("a", Encoding.UTF8.GetString(letter.Body.Span));
        var rest = await ReceiveAtLeastAsync(reopened, "q", 2);
        Assert.Equal(["b", "c"], rest.Select(Text));
    }

    [Fact]
    public async Task A_lease_held_by_a_closed_broker_expires_and_its_receipt_stays_stale()
    {
        var crashed = _database.Open();
        await crashed.SendAsync([Message("q", "orphan")], CancellationToken.None);
        var lost = (await ReceiveAtLeastAsync(crashed, "q", 1, TimeSpan.FromMilliseconds(300))).Single();
        crashed.Dispose();

        var survivor = Open();
        var redelivered = (await ReceiveAtLeastAsync(survivor, "q", 1)).Single();
        Assert.Equal("orphan", Text(redelivered));
        Assert.Equal(2, redelivered.DeliveryCount);

        var replayed = new BrokerMessage { Queue = lost.Queue, Body = lost.Body, Receipt = lost.Receipt };
        await survivor.AckAsync([replayed], CancellationToken.None);
        await survivor.DeadLetterAsync(replayed, "stale", CancellationToken.None);
        Assert.Equal(new QueueDepth(0, 1, 0), await survivor.GetDepthAsync("q", CancellationToken.None));
        Assert.Empty(await survivor.ListDeadLettersAsync(null, 10, CancellationToken.None));

        var current = new BrokerMessage { Queue = redelivered.Queue, Body = redelivered.Body, Receipt = redelivered.Receipt };
        await survivor.AckAsync([current], CancellationToken.None);
        Assert.Equal(default, await survivor.GetDepthAsync("q", CancellationToken.None));
    }

    [Fact]
    public async Task Competing_brokers_on_one_file_deliver_each_message_exactly_once()
    {
        const int count = 2000;
        var receivers = Enumerable.Range(0, 4).Select(_ => Open()).ToList();
        var senders = Enumerable.Range(0, 2).Select(_ => Open()).ToList();
        await senders[0].SendAsync([.. Enumerable.Range(0, count / 2).Select(i => Message("shared", $"early-{i}"))], CancellationToken.None);
        var deliveries = new ConcurrentBag<(string Body, int Receiver)>();
        var taken = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Every loop yields, so that on a small machine no receiver runs the queue dry alone while the others wait for a thread.
        var sending = senders.Select((sender, s) => Task.Run(async () =>
        {
            await gate.Task;
            for (var start = 0; start < count / 4; start += 25)
            {
                await sender.SendAsync([.. Enumerable.Range(start, 25).Select(i => Message("shared", $"late-{s}-{i}"))], CancellationToken.None);
                await Task.Yield();
            }
        })).ToList();
        var receiving = receivers.Select((receiver, r) => Task.Run(async () =>
        {
            await gate.Task;
            var clock = Stopwatch.StartNew();
            while (Volatile.Read(ref taken) < count && clock.Elapsed < Patience)
            {
                var batch = await receiver.ReceiveAsync(["shared"], 4, LongLease, TimeSpan.FromMilliseconds(100), CancellationToken.None);
                foreach (var message in batch) deliveries.Add((Text(message), r));
                Interlocked.Add(ref taken, batch.Count);
                await receiver.AckAsync(batch, CancellationToken.None);
                await Task.Yield();
            }
        })).ToList();
        gate.SetResult();
        await Task.WhenAll([.. sending, .. receiving]);

        Assert.Equal(count, deliveries.Count);
        Assert.Equal(count, deliveries.Select(d => d.Body).Distinct(StringComparer.Ordinal).Count());
        Assert.True(deliveries.Select(d => d.Receiver).Distinct().Count() > 1, "Only one receiver took messages: the test did not make them compete.");
        Assert.Equal(default, await Open().GetDepthAsync("shared", CancellationToken.None));
    }

    [Fact]
    public async Task A_waiting_receive_sees_a_send_from_another_instance()
    {
        var producer = Open();
        var consumer = Open();
        var clock = Stopwatch.StartNew();
        var receive = consumer.ReceiveAsync(["q"], 1, LongLease, Patience, CancellationToken.None).AsTask();
        // A window in which the receive must not return: nothing was sent yet.
        await Task.Delay(100);
        Assert.False(receive.IsCompleted);

        await producer.SendAsync([Message("q", "across")], CancellationToken.None);
        Assert.Equal("across", Text(Assert.Single(await receive)));
        Assert.True(clock.Elapsed < Patience / 2, $"The receive took {clock.Elapsed}: it did not poll the file.");
    }

    [Fact]
    public async Task A_send_in_the_same_process_wakes_a_waiting_receive_without_polling()
    {
        using var broker = _database.Open(pollInterval: TimeSpan.FromHours(1));
        var clock = Stopwatch.StartNew();
        var receive = broker.ReceiveAsync(["q"], 1, LongLease, Patience, CancellationToken.None).AsTask();
        // A window in which the receive must not return: nothing was sent yet.
        await Task.Delay(100);
        Assert.False(receive.IsCompleted);

        await broker.SendAsync([Message("q", "signalled")], CancellationToken.None);
        Assert.Equal("signalled", Text(Assert.Single(await receive)));
        Assert.True(clock.Elapsed < Patience / 2, $"The receive took {clock.Elapsed}: the send did not wake it.");
    }

    [Fact]
    public async Task Opening_the_same_file_repeatedly_and_concurrently_keeps_one_schema()
    {
        var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(Open)));
        await opened[0].SendAsync([Message("q", "kept")], CancellationToken.None);
        foreach (var broker in opened) broker.Dispose();

        var again = Open();
        Assert.Equal(new QueueDepth(1, 0, 0), await again.GetDepthAsync("q", CancellationToken.None));
        using var connection = OpenRaw();
        Assert.Equal(1L, Scalar(connection, "PRAGMA user_version"));
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode"));
        Assert.Equal(3L, Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('messages', 'queues', 'dead_letters')"));
    }

    [Fact]
    public void A_file_from_a_newer_schema_is_refused()
    {
        using (var connection = OpenRaw())
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<NotSupportedException>(() => _database.Open().Dispose());
        Assert.Contains("99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bodies_that_are_not_envelopes_are_kept_byte_for_byte()
    {
        byte[] garbage = [0x7B, 0x22, 0xFF, 0x00, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0x00];
        byte[] empty = [];
        using (var first = _database.Open())
            await first.SendAsync([new OutgoingMessage("q", garbage), new OutgoingMessage("q", empty)], CancellationToken.None);

        var broker = Open();
        var received = await ReceiveAtLeastAsync(broker, "q", 2);
        Assert.Equal(garbage, received[0].Body.ToArray());
        Assert.Equal(empty, received[1].Body.ToArray());

        await broker.DeadLetterAsync(received[0], "unparseable", CancellationToken.None);
        await broker.DeadLetterAsync(received[1], "empty", CancellationToken.None);
        var letters = await broker.ListDeadLettersAsync("q", 10, CancellationToken.None);
        Assert.Equal(garbage, letters[0].Body.ToArray());
        Assert.Equal(empty, letters[1].Body.ToArray());
    }

    [Fact]
    public async Task A_slice_of_a_larger_buffer_is_stored_as_the_slice_only()
    {
        var buffer = Encoding.UTF8.GetBytes("xxpayloadyy");
        var broker = Open();
        await broker.SendAsync([new OutgoingMessage("q", buffer.AsMemory(2, 7))], CancellationToken.None);

        var message = (await ReceiveAtLeastAsync(broker, "q", 1)).Single();
        Assert.Equal("payload", Text(message));
    }

    [Fact]
    public async Task The_receive_query_is_served_by_the_index()
    {
        Open();
        using var connection = OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE queue = 'q' AND visible_at <= 0 ORDER BY visible_at, id LIMIT 5";
        var plan = new StringBuilder();
        using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) plan.AppendLine(reader.GetString(3));
        }

        Assert.Contains("messages_receive", plan.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", plan.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_are_rejected_with_their_key_named()
    {
        var poll = Assert.Throws<OptionsValidationException>(() => new SqliteBroker(new SqliteBrokerOptions { Path = _database.Path, PollInterval = TimeSpan.Zero }));
        Assert.Contains("Celeriac:Broker:Sqlite:PollInterval must be positive", poll.Message, StringComparison.Ordinal);
        var blank = Assert.Throws<OptionsValidationException>(() => new SqliteBroker(new SqliteBrokerOptions { Path = " " }));
        Assert.Contains("Celeriac:Broker:Sqlite:Path must be set", blank.Message, StringComparison.Ordinal);
        var memory = Assert.Throws<OptionsValidationException>(() => new SqliteBroker(new SqliteBrokerOptions { Path = ":memory:" }));
        Assert.Contains("Celeriac:Broker:Sqlite:Path is ':memory:'", memory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disposed_broker_refuses_work()
    {
        var broker = _database.Open();
        broker.Dispose();
        broker.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await broker.SendAsync([Message("q", "x")], CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await broker.ReceiveAsync(["q"], 1, LongLease, TimeSpan.Zero, CancellationToken.None));
    }
}
