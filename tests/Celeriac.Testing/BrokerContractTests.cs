using System.Diagnostics;
using System.Text;
using Celeriac.Brokers;
using Xunit;

namespace Celeriac.Testing;

/// <summary>
/// The behaviour every <see cref="IBroker"/> and <see cref="IBrokerAdmin"/> must show, whatever its transport.
/// A broker's test project derives from this class and provides <see cref="CreateBroker"/>; each test uses
/// fresh queue names, so brokers backed by shared infrastructure can run it too. Timings are short leases
/// and delays with generous deadlines for the condition to hold, so a loaded machine slows the suite down
/// rather than failing it.
/// </summary>
public abstract class BrokerContractTests : IAsyncLifetime
{
    private readonly List<IBroker> _brokers = [];

    /// <summary>A new broker. Brokers created in one test may share storage (like processes on one machine) or not.</summary>
    protected abstract IBroker CreateBroker();

    /// <summary>The administration interface of <paramref name="broker"/>.</summary>
    protected virtual IBrokerAdmin AdminOf(IBroker broker) =>
        broker as IBrokerAdmin ?? throw new InvalidOperationException($"{broker.GetType().Name} does not implement IBrokerAdmin; override AdminOf.");

    /// <summary>A lease short enough to watch expire; brokers whose leases have a coarser grain override it.</summary>
    protected virtual TimeSpan ShortLease => TimeSpan.FromMilliseconds(400);

    /// <summary>A lease that never expires during a test.</summary>
    protected virtual TimeSpan LongLease => TimeSpan.FromMinutes(5);

    /// <summary>How long a test waits for something that should happen soon before it gives up.</summary>
    protected virtual TimeSpan Patience => TimeSpan.FromSeconds(20);

    /// <summary>How long a purge may take to land after <see cref="IBrokerAdmin.PurgeAsync"/> returned (SQS: up to 60 s); zero: at once.</summary>
    protected virtual TimeSpan PurgeTakesUpTo => TimeSpan.Zero;

    /// <summary>Whether <see cref="IBroker.GetOldestReadyAgeAsync"/> reads an age; false for a broker that documents it cannot (it must answer null).</summary>
    protected virtual bool ReportsOldestReadyAge => true;

    /// <summary>Whether a leased message is left out of the oldest ready age (Service Bus's peek cannot tell a locked message from a waiting one).</summary>
    protected virtual bool OldestReadyAgeLeavesOutLeased => true;

    /// <summary>
    /// True where the broker's purge deletes running (leased) messages too because its service offers nothing else (SQS's
    /// PurgeQueue; Service Bus as docs/servicebus.md says). Every other broker purges only ready and delayed messages.
    /// </summary>
    protected virtual bool PurgeDeletesRunningMessages => false;

    /// <summary>A queue name no other test uses. Brokers that must create queues first override this.</summary>
    protected virtual ValueTask<string> NewQueueAsync() =>
        ValueTask.FromResult("contract-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Runs after the brokers of a test are disposed (delete files, queues, ...).</summary>
    protected virtual ValueTask CleanupAsync() => ValueTask.CompletedTask;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var broker in _brokers)
        {
            if (broker is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync();
            else if (broker is IDisposable disposable) disposable.Dispose();
        }
        _brokers.Clear();
        await CleanupAsync();
    }

    protected IBroker NewBroker()
    {
        var broker = CreateBroker();
        _brokers.Add(broker);
        return broker;
    }

    protected static CancellationToken None => CancellationToken.None;

    protected static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(BrokerMessage message) => Encoding.UTF8.GetString(message.Body.Span);

    protected static OutgoingMessage Message(string queue, string body, DateTimeOffset? notBefore = null) => new(queue, Bytes(body), notBefore);

    /// <summary>Receives until <paramref name="count"/> messages arrived or <see cref="Patience"/> ran out.</summary>
    protected async Task<List<BrokerMessage>> ReceiveAtLeastAsync(IBroker broker, IReadOnlyList<string> queues, int count, TimeSpan? lease = null, int batch = 10)
    {
        var received = new List<BrokerMessage>();
        var clock = Stopwatch.StartNew();
        while (received.Count < count && clock.Elapsed < Patience)
            received.AddRange(await broker.ReceiveAsync(queues, Math.Min(batch, count - received.Count), lease ?? LongLease, TimeSpan.FromMilliseconds(250), None));
        return received;
    }

    protected async Task<BrokerMessage> ReceiveOneAsync(IBroker broker, string queue, TimeSpan? lease = null)
    {
        var received = await ReceiveAtLeastAsync(broker, [queue], 1, lease, batch: 1);
        Assert.True(received.Count == 1, $"No message arrived on {queue} within {Patience}.");
        return received[0];
    }

    /// <summary>Asserts that nothing can be received from <paramref name="queue"/> for <paramref name="during"/>.</summary>
    /// <remarks>
    /// With <paramref name="hiddenSince"/> and <paramref name="hiddenFor"/>, a message that arrives once the hiding period is
    /// over is allowed: on a loaded machine the wait can overrun it, and then delivering is right.
    /// </remarks>
    protected static async Task AssertNothingArrivesAsync(IBroker broker, string queue, TimeSpan during, Stopwatch? hiddenSince = null, TimeSpan? hiddenFor = null)
    {
        var received = await broker.ReceiveAsync([queue], 10, TimeSpan.FromMinutes(5), during, None);
        if (received.Count > 0 && hiddenSince is not null && hiddenSince.Elapsed >= hiddenFor) return;
        Assert.True(received.Count == 0, $"Expected nothing on {queue}, received {received.Count}.");
    }

    [Fact]
    public async Task Send_receive_ack_delivers_the_body_once_and_removes_it()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        await broker.SendAsync([Message(queue, "hello")], None);

        var message = await ReceiveOneAsync(broker, queue, ShortLease);
        Assert.Equal(queue, message.Queue);
        Assert.Equal("hello", Text(message));
        Assert.Equal(1, message.DeliveryCount);
        Assert.False(string.IsNullOrEmpty(message.Receipt));

        await broker.AckAsync([message], None);
        await AssertNothingArrivesAsync(broker, queue, ShortLease * 3);
        Assert.Equal(0, (await broker.GetDepthAsync(queue, None)).Total);
    }

    [Fact]
    public async Task Batch_send_delivers_every_message_exactly_once()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        var bodies = Enumerable.Range(0, 100).Select(i => $"m{i}").ToList();
        await broker.SendAsync([.. bodies.Select(b => Message(queue, b))], None);

        var received = await ReceiveAtLeastAsync(broker, [queue], 100);
        Assert.Equal(bodies.Order(StringComparer.Ordinal), received.Select(Text).Order(StringComparer.Ordinal));
        Assert.Empty(await broker.ReceiveAsync([queue], 10, LongLease, TimeSpan.Zero, None));

        await broker.AckAsync(received, None);
        Assert.Equal(default, await broker.GetDepthAsync(queue, None));
    }

    [Fact]
    public async Task Receive_never_returns_more_than_max_messages()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        await broker.SendAsync([.. Enumerable.Range(0, 10).Select(i => Message(queue, $"m{i}"))], None);

        var first = await broker.ReceiveAsync([queue], 3, LongLease, Patience, None);
        Assert.InRange(first.Count, 1, 3);
        var rest = await ReceiveAtLeastAsync(broker, [queue], 10 - first.Count, batch: 4);
        Assert.All(rest, m => Assert.DoesNotContain(Text(m), first.Select(Text)));
        Assert.Equal(10, first.Count + rest.Count);
    }

    [Fact]
    public async Task Receive_takes_from_earlier_queues_before_later_ones()
    {
        var broker = NewBroker();
        var high = await NewQueueAsync();
        var low = await NewQueueAsync();
        await broker.SendAsync([.. Enumerable.Range(0, 5).Select(i => Message(low, $"low{i}"))], None);
        await broker.SendAsync([Message(high, "high0"), Message(high, "high1")], None);

        var first = await broker.ReceiveAsync([high, low], 2, LongLease, Patience, None);
        Assert.Equal([high, high], first.Select(m => m.Queue));

        await broker.SendAsync([Message(high, "high2")], None);
        var second = await broker.ReceiveAsync([high, low], 3, LongLease, Patience, None);
        Assert.Equal(3, second.Count);
        Assert.Equal(high, second[0].Queue);
        Assert.Equal("high2", Text(second[0]));
        Assert.All(second.Skip(1), m => Assert.Equal(low, m.Queue));
    }

    [Fact]
    public async Task Expired_lease_redelivers_with_a_higher_delivery_count()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        await broker.SendAsync([Message(queue, "again")], None);

        var first = await ReceiveOneAsync(broker, queue, ShortLease);
        var second = await ReceiveOneAsync(broker, queue, ShortLease);

        Assert.Equal("again", Text(second));
        Assert.Equal(first.DeliveryCount + 1, second.DeliveryCount);
        Assert.NotEqual(first.Receipt, second.Receipt);
    }

    [Fact]
    public async Task Stale_receipt_is_ignored_after_redelivery()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        await broker.SendAsync([Message(queue, "contended")], None);
        var stale = await ReceiveOneAsync(broker, queue, ShortLease);
        var current = await ReceiveOneAsync(broker, queue, LongLease);

        await broker.AckAsync([stale], None);
        await broker.ExtendLeaseAsync([stale], LongLease, None);
        await broker.ReleaseAsync(stale, TimeSpan.Zero, None);
        await broker.DeadLetterAsync(stale, "stale", None);

        Assert.Equal(new QueueDepth(0, 1, 0), await broker.GetDepthAsync(queue, None));
        Assert.Empty(await AdminOf(broker).ListDeadLettersAsync(queue, 10, None));
        await AssertNothingArrivesAsync(broker, queue, ShortLease);

        await broker.ReleaseAsync(current, TimeSpan.Zero, None);
        var third = await ReceiveOneAsync(broker, queue);
        Assert.Equal(current.DeliveryCount + 1, third.DeliveryCount);
        await broker.AckAsync([third], None);
        Assert.Equal(0, (await broker.GetDepthAsync(queue, None)).Total);
    }

    [Fact]
    public async Task Extend_lease_keeps_the_message_invisible()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        await broker.SendAsync([Message(queue, "long task")], None);
        var message = await ReceiveOneAsync(broker, queue, ShortLease);

        await broker.ExtendLeaseAsync([message], LongLease, None);
        await AssertNothingArrivesAsync(broker, queue, ShortLease * 3);
        Assert.Equal(new QueueDepth(0, 1, 0), await broker.GetDepthAsync(queue, None));

        await broker.AckAsync([message], None);
        Assert.Equal(0, (await broker.GetDepthAsync(queue, None)).Total);
    }

    [Fact]
    public async Task Extended_lease_still_expires_when_no_longer_extended()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        await broker.SendAsync([Message(queue, "abandoned")], None);
        var message = await ReceiveOneAsync(broker, queue, ShortLease);

        await broker.ExtendLeaseAsync([message], ShortLease, None);
        var redelivered = await ReceiveOneAsync(broker, queue);
        Assert.Equal(2, redelivered.DeliveryCount);
    }

    [Fact]
    public async Task Release_without_delay_makes_the_message_visible_at_once()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        await broker.SendAsync([Message(queue, "retry me")], None);
        var message = await ReceiveOneAsync(broker, queue, LongLease);

        await broker.ReleaseAsync(message, TimeSpan.Zero, None);
        var again = await ReceiveOneAsync(broker, queue);
        Assert.Equal("retry me", Text(again));
        Assert.Equal(2, again.DeliveryCount);
    }

    [Fact]
    public async Task Release_with_delay_hides_the_message_until_the_delay_passed()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        await broker.SendAsync([Message(queue, "later")], None);
        var message = await ReceiveOneAsync(broker, queue, LongLease);

        var clock = Stopwatch.StartNew();
        await broker.ReleaseAsync(message, TimeSpan.FromSeconds(2), None);
        Assert.Equal(new QueueDepth(0, 0, 1), await broker.GetDepthAsync(queue, None));
        await AssertNothingArrivesAsync(broker, queue, TimeSpan.FromMilliseconds(200), clock, TimeSpan.FromSeconds(1));

        var again = await ReceiveOneAsync(broker, queue);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(1900), $"Delivered after {clock.Elapsed}, before the 2s delay.");
        Assert.Equal(2, again.DeliveryCount);
    }

    [Fact]
    public async Task Not_before_delays_delivery()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        var clock = Stopwatch.StartNew();
        await broker.SendAsync([Message(queue, "scheduled", DateTimeOffset.UtcNow.AddSeconds(2))], None);

        Assert.Equal(new QueueDepth(0, 0, 1), await broker.GetDepthAsync(queue, None));
        await AssertNothingArrivesAsync(broker, queue, TimeSpan.FromMilliseconds(200), clock, TimeSpan.FromSeconds(1));

        var message = await ReceiveOneAsync(broker, queue);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(1800), $"Delivered after {clock.Elapsed}, before NotBefore.");
        Assert.Equal("scheduled", Text(message));
    }

    [Fact]
    public async Task Not_before_in_the_past_delivers_at_once()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        await broker.SendAsync([Message(queue, "overdue", DateTimeOffset.UtcNow.AddMinutes(-1))], None);

        Assert.Equal(new QueueDepth(1, 0, 0), await broker.GetDepthAsync(queue, None));
        Assert.Equal("overdue", Text(await ReceiveOneAsync(broker, queue)));
    }

    [Fact]
    public async Task Receive_skips_delayed_and_leased_messages()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        await broker.SendAsync([Message(queue, "leased"), Message(queue, "delayed", DateTimeOffset.UtcNow.AddHours(1))], None);
        Assert.Equal("leased", Text(await ReceiveOneAsync(broker, queue, LongLease)));
        await broker.SendAsync([Message(queue, "ready")], None);

        var received = await broker.ReceiveAsync([queue], 10, LongLease, Patience, None);
        Assert.Equal("ready", Text(Assert.Single(received)));
        await AssertNothingArrivesAsync(broker, queue, ShortLease);
        Assert.Equal(new QueueDepth(0, 2, 1), await broker.GetDepthAsync(queue, None));
    }

    [Fact]
    public async Task Waiting_receive_sleeps_until_a_delayed_message_is_due()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        var clock = Stopwatch.StartNew();
        await broker.SendAsync([Message(queue, "soon", DateTimeOffset.UtcNow.AddMilliseconds(500))], None);

        var received = await broker.ReceiveAsync([queue], 1, LongLease, Patience, None);
        Assert.Equal("soon", Text(Assert.Single(received)));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(400), $"Delivered after {clock.Elapsed}, before NotBefore.");
        Assert.True(clock.Elapsed < Patience * 0.75, $"The receive took {clock.Elapsed}: it waited for its timeout instead of the due time.");
    }

    [Fact]
    public async Task After_draining_a_queue_a_waiting_receive_still_wakes_for_a_delayed_message()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        await broker.SendAsync([Message(queue, "now"), Message(queue, "soon", DateTimeOffset.UtcNow.AddMilliseconds(500))], None);
        Assert.Equal("now", Text(await ReceiveOneAsync(broker, queue)));

        var clock = Stopwatch.StartNew();
        var received = await broker.ReceiveAsync([queue], 10, LongLease, Patience, None);
        Assert.Equal("soon", Text(Assert.Single(received)));
        Assert.True(clock.Elapsed < Patience * 0.75, $"The receive took {clock.Elapsed}: it waited for its timeout instead of the due time.");
    }

    [Fact]
    public async Task Dead_letter_keeps_body_reason_and_queue_until_deleted()
    {
        var broker = NewBroker();
        var admin = AdminOf(broker);
        var queue = await NewQueueAsync();
        await broker.SendAsync([Message(queue, "poison")], None);
        var message = await ReceiveOneAsync(broker, queue, LongLease);

        var before = DateTimeOffset.UtcNow;
        await broker.DeadLetterAsync(message, "unknown task 'nope'", None);
        var after = DateTimeOffset.UtcNow;

        Assert.Equal(0, (await broker.GetDepthAsync(queue, None)).Total);
        await AssertNothingArrivesAsync(broker, queue, ShortLease);
        var letter = Assert.Single(await admin.ListDeadLettersAsync(queue, 10, None));
        Assert.Equal(queue, letter.Queue);
        Assert.Equal("unknown task 'nope'", letter.Reason);
        Assert.Equal("poison", Encoding.UTF8.GetString(letter.Body.Span));
        Assert.InRange(letter.DeadLetteredAt, before.AddSeconds(-2), after.AddSeconds(2));
        Assert.False(string.IsNullOrEmpty(letter.Id));

        Assert.Equal(1, await admin.DeleteDeadLettersAsync([letter.Id], None));
        Assert.Empty(await admin.ListDeadLettersAsync(queue, 10, None));
        Assert.Equal(0, await admin.DeleteDeadLettersAsync([letter.Id], None));
    }

    [Fact]
    public async Task List_dead_letters_filters_by_queue_and_honours_the_limit_oldest_first()
    {
        var broker = NewBroker();
        var admin = AdminOf(broker);
        var first = await NewQueueAsync();
        var second = await NewQueueAsync();
        await broker.SendAsync([Message(first, "a0"), Message(first, "a1"), Message(first, "a2")], None);
        await broker.SendAsync([Message(second, "b0")], None);

        foreach (var message in (await ReceiveAtLeastAsync(broker, [first], 3)).OrderBy(Text, StringComparer.Ordinal))
            await broker.DeadLetterAsync(message, "bad " + Text(message), None);
        await broker.DeadLetterAsync(await ReceiveOneAsync(broker, second), "bad b0", None);

        var fromFirst = await admin.ListDeadLettersAsync(first, 10, None);
        Assert.Equal(["bad a0", "bad a1", "bad a2"], fromFirst.Select(d => d.Reason));
        Assert.All(fromFirst, d => Assert.Equal(first, d.Queue));
        Assert.Equal(["bad a0", "bad a1"], (await admin.ListDeadLettersAsync(first, 2, None)).Select(d => d.Reason));

        var all = await admin.ListDeadLettersAsync(null, 10_000, None);
        Assert.Contains(all, d => d.Queue == second && d.Reason == "bad b0");
        Assert.Equal(3, all.Count(d => d.Queue == first));

        Assert.Equal(2, await admin.DeleteDeadLettersAsync([fromFirst[0].Id, fromFirst[2].Id], None));
        Assert.Equal(["bad a1"], (await admin.ListDeadLettersAsync(first, 10, None)).Select(d => d.Reason));
        Assert.Single(await admin.ListDeadLettersAsync(second, 10, None));
    }

    [Fact]
    public async Task Depth_counts_ready_in_flight_and_delayed()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        Assert.Equal(default, await broker.GetDepthAsync(queue, None));

        await broker.SendAsync([Message(queue, "r1"), Message(queue, "r2"), Message(queue, "r3"), Message(queue, "d", DateTimeOffset.UtcNow.AddHours(1))], None);
        var leased = await ReceiveOneAsync(broker, queue, LongLease);

        var depth = await broker.GetDepthAsync(queue, None);
        Assert.Equal(new QueueDepth(2, 1, 1), depth);
        Assert.Equal(4, depth.Total);

        await broker.AckAsync([leased], None);
        Assert.Equal(new QueueDepth(2, 0, 1), await broker.GetDepthAsync(queue, None));
    }

    [Fact]
    public async Task Depth_counts_a_message_whose_lease_expired_as_ready()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        await broker.SendAsync([Message(queue, "forgotten")], None);
        await ReceiveOneAsync(broker, queue, ShortLease);

        await Eventually.Until(async () => await broker.GetDepthAsync(queue, None) == new QueueDepth(1, 0, 0), "the expired lease counts as ready", Patience);
    }

    [Fact]
    public async Task Purge_deletes_the_ready_and_delayed_messages_of_one_queue_and_leaves_running_ones_to_finish_or_return()
    {
        var broker = NewBroker();
        var admin = AdminOf(broker);
        var queue = await NewQueueAsync();
        var other = await NewQueueAsync();
        await broker.SendAsync([Message(queue, "running"), Message(queue, "returns")], None);
        var running = await ReceiveAtLeastAsync(broker, [queue], 2, LongLease);
        Assert.Equal(2, running.Count);
        // A message whose lease ran out (its worker died) is ready again, and so purged.
        await broker.SendAsync([Message(queue, "abandoned")], None);
        var abandoned = await ReceiveOneAsync(broker, queue, ShortLease);
        await broker.SendAsync([Message(queue, "1"), Message(queue, "2"), Message(queue, "later", DateTimeOffset.UtcNow.AddHours(1))], None);
        await broker.SendAsync([Message(other, "keep")], None);
        await Eventually.Until(async () => await broker.GetDepthAsync(queue, None) == new QueueDepth(3, 2, 1), "the abandoned message's lease ran out", Patience);

        if (PurgeDeletesRunningMessages)
        {
            Assert.Equal(6, await admin.PurgeAsync(queue, None));
            if (PurgeTakesUpTo > TimeSpan.Zero)
            {
                // An asynchronous purge (SQS) is checked on what can be received and what is in flight: SQS's delayed count
                // is approximate and, on the emulator, is not reset by a purge until the delay runs out.
                await Eventually.Until(async () => await broker.GetDepthAsync(queue, None) is { Ready: 0, InFlight: 0 }, "the purge landed", PurgeTakesUpTo + Patience);
            }
            else
            {
                Assert.Equal(default, await broker.GetDepthAsync(queue, None));
            }
            await AssertNothingArrivesAsync(broker, queue, ShortLease);
            await broker.AckAsync(running, None);
        }
        else
        {
            Assert.Equal(4, await admin.PurgeAsync(queue, None));
            Assert.Equal(new QueueDepth(0, 2, 0), await broker.GetDepthAsync(queue, None));
            await AssertNothingArrivesAsync(broker, queue, ShortLease);
            Assert.Contains(queue, await admin.ListQueuesAsync(None));

            // The stale receipt of the purged message changes nothing; the running ones finish, or return and run.
            await broker.AckAsync([abandoned], None);
            await broker.AckAsync([running[0]], None);
            await broker.ReleaseAsync(running[1], TimeSpan.Zero, None);
            var returned = await ReceiveOneAsync(broker, queue, LongLease);
            Assert.Equal(Text(running[1]), Text(returned));
            await broker.AckAsync([returned], None);
            Assert.Equal(default, await broker.GetDepthAsync(queue, None));
            Assert.Equal(0, await admin.PurgeAsync(queue, None));
        }
        Assert.Equal(new QueueDepth(1, 0, 0), await broker.GetDepthAsync(other, None));
    }

    [Fact]
    public async Task List_queues_includes_queues_that_were_sent_to()
    {
        var broker = NewBroker();
        var first = await NewQueueAsync();
        var second = await NewQueueAsync();
        await broker.SendAsync([Message(first, "x"), Message(second, "y", DateTimeOffset.UtcNow.AddHours(1))], None);

        var queues = await AdminOf(broker).ListQueuesAsync(None);
        Assert.Contains(first, queues);
        Assert.Contains(second, queues);
    }

    [Fact]
    public async Task Waiting_receive_returns_as_soon_as_a_message_is_sent()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        var clock = Stopwatch.StartNew();
        var receive = broker.ReceiveAsync([queue], 10, LongLease, Patience, None).AsTask();
        // A window in which the receive must not return: nothing was sent.
        await Task.Delay(200);
        Assert.False(receive.IsCompleted, "The receive returned before anything was sent.");

        await broker.SendAsync([Message(queue, "wake up")], None);
        var received = await receive;
        Assert.Equal("wake up", Text(Assert.Single(received)));
        Assert.True(clock.Elapsed < Patience * 0.75, $"The receive took {clock.Elapsed}: it waited for its timeout instead of the message.");
    }

    [Fact]
    public async Task Waiting_receive_returns_empty_once_the_wait_is_over()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        var clock = Stopwatch.StartNew();
        var received = await broker.ReceiveAsync([queue], 10, LongLease, TimeSpan.FromMilliseconds(300), None);
        Assert.Empty(received);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"Returned after {clock.Elapsed}, before the 300ms wait.");
    }

    [Fact]
    public async Task Receive_without_wait_returns_empty_from_an_empty_queue()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        var receive = broker.ReceiveAsync([queue], 10, LongLease, TimeSpan.Zero, None).AsTask();
        var finished = await Task.WhenAny(receive, Task.Delay(Patience));
        Assert.Same(receive, finished);
        Assert.Empty(await receive);
    }

    [Fact]
    public async Task Cancelling_a_waiting_receive_throws_operation_canceled()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        using var cancellation = new CancellationTokenSource();
        var receive = broker.ReceiveAsync([queue], 10, LongLease, TimeSpan.FromMinutes(10), cancellation.Token).AsTask();
        // Lets the receive reach its wait, so that the cancellation meets a waiting receive (no broker shows that it waits).
        await Task.Delay(100);
        await cancellation.CancelAsync();

        var finished = await Task.WhenAny(receive, Task.Delay(Patience));
        Assert.Same(receive, finished);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receive);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await broker.ReceiveAsync([queue], 10, LongLease, TimeSpan.FromMinutes(10), cancelled.Token));
    }

    [Fact]
    public async Task Bodies_are_opaque_bytes()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        byte[] binary = [0x00, 0xFF, 0xFE, 0xC3, 0x28, 0x7B, 0x00, 0x22, 0x80, 0x0A];
        var large = new byte[64 * 1024];
        new Random(42).NextBytes(large);
        await broker.SendAsync([new OutgoingMessage(queue, binary), new OutgoingMessage(queue, large)], None);

        var received = await ReceiveAtLeastAsync(broker, [queue], 2);
        Assert.Equal(2, received.Count);
        Assert.Contains(received, m => m.Body.Span.SequenceEqual(binary));
        Assert.Contains(received, m => m.Body.Span.SequenceEqual(large));
    }

    [Fact]
    public async Task Concurrent_receivers_never_share_a_message()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        const int count = 400;
        await broker.SendAsync([.. Enumerable.Range(0, count).Select(i => Message(queue, $"m{i}"))], None);

        // Rounds of four receives started together: each round makes them compete for the same head of the queue, and
        // no receiver can drain the queue alone before the others were scheduled (it once did, on a loaded machine).
        var perReceiver = Enumerable.Range(0, 4).Select(_ => new List<BrokerMessage>()).ToArray();
        var clock = Stopwatch.StartNew();
        while (perReceiver.Sum(m => m.Count) < count && clock.Elapsed < Patience)
        {
            var round = await Task.WhenAll(perReceiver.Select(_ => Task.Run(async () =>
                await broker.ReceiveAsync([queue], 7, LongLease, TimeSpan.FromMilliseconds(50), None))));
            for (var i = 0; i < round.Length; i++) perReceiver[i].AddRange(round[i]);
        }
        var all = perReceiver.SelectMany(m => m).ToList();

        Assert.Equal(count, all.Count);
        Assert.True(perReceiver.Count(m => m.Count > 0) > 1, "Only one receiver took messages: the test did not make them compete.");
        Assert.Equal(count, all.Select(Text).Distinct(StringComparer.Ordinal).Count());
        await broker.AckAsync(all, None);
        Assert.Equal(0, (await broker.GetDepthAsync(queue, None)).Total);
    }

    [Fact]
    public async Task Oldest_ready_age_is_how_long_the_head_message_has_waited()
    {
        var broker = NewBroker();
        var queue = await NewQueueAsync();
        Assert.Null(await broker.GetOldestReadyAgeAsync(queue, None));
        await broker.SendAsync([Message(queue, "later", DateTimeOffset.UtcNow + LongLease)], None);
        Assert.Null(await broker.GetOldestReadyAgeAsync(queue, None)); // delayed: not ready, so no wait yet

        var sent = Stopwatch.StartNew();
        await broker.SendAsync([Message(queue, "first")], None);
        // The age is read from the broker's own clock: real time has to pass.
        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        await broker.SendAsync([Message(queue, "second")], None);
        var age = await broker.GetOldestReadyAgeAsync(queue, None);
        if (!ReportsOldestReadyAge)
        {
            Assert.Null(age);
            return;
        }
        Assert.NotNull(age);
        // The head is the first message (not the newest); the upper bound allows for the broker's clock.
        Assert.InRange(age.Value, TimeSpan.FromMilliseconds(1300), sent.Elapsed + TimeSpan.FromSeconds(1));

        var first = await ReceiveOneAsync(broker, queue, LongLease);
        Assert.Equal("first", Text(first));
        var second = await ReceiveOneAsync(broker, queue, LongLease);
        if (OldestReadyAgeLeavesOutLeased) Assert.Null(await broker.GetOldestReadyAgeAsync(queue, None));
        await broker.AckAsync([first, second], None);
        Assert.Null(await broker.GetOldestReadyAgeAsync(queue, None));
    }
}
