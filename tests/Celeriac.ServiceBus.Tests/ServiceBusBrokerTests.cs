using System.Diagnostics;
using System.Text;
using Azure.Messaging.ServiceBus;
using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.ServiceBus.Peer;
using Celeriac.ServiceBus.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Tests;

/// <summary>
/// What the Service Bus broker does beyond the shared contract, through the unmodified SDK against the AMQP peer: message
/// ids and duplicate detection, properties, TimeToLive, native dead letters with Celeriac's reason, listing that locks
/// nothing, the service's own dead letters, the size limit, no hoarding, lock renewal, and transient faults.
/// </summary>
public sealed class ServiceBusBrokerTests(ServiceBusPeerFixture fixture) : IClassFixture<ServiceBusPeerFixture>, IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly ServiceBusBrokerOptions _options = ServiceBusTestBrokers.Options(fixture, fixture.NewPrefix());
    private ServiceBusBroker? _broker;

    private ServiceBusBroker Broker => _broker ??= ServiceBusTestBrokers.Broker(fixture, _options);

    private ServiceBusPeer Peer => fixture.Peer;

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null) await _broker.DisposeAsync();
    }

    /// <summary>As the publisher builds them: the message id, expiry and headers travel beside the body.</summary>
    private static OutgoingMessage Task(string id, int attempt, DateTimeOffset? expires = null) => EnvelopeMessages.ToOutgoing(new TaskEnvelope
    {
        Id = id, Task = "orders.ship", Queue = "default", Attempt = attempt, Created = DateTimeOffset.UtcNow, Expires = expires,
        Headers = new Dictionary<string, string>
        {
            ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ["celeriac-deliveries"] = "99",
        },
    });

    private async Task<List<BrokerMessage>> ReceiveAtLeastAsync(string queue, int count, TimeSpan? lease = null)
    {
        var received = new List<BrokerMessage>();
        var clock = Stopwatch.StartNew();
        while (received.Count < count && clock.Elapsed < Patience)
            received.AddRange(await Broker.ReceiveAsync([queue], count - received.Count, lease ?? TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(500), CancellationToken.None));
        return received;
    }

    [Fact]
    public async Task The_message_id_is_the_task_id_so_duplicate_detection_drops_a_task_sent_twice_but_not_its_retry()
    {
        // Documented: a queue that requires duplicate detection drops a MessageId seen within its window.
        Peer.CreateQueue(Broker.QueueName("default"), new PeerQueueSettings { RequiresDuplicateDetection = true, LockDuration = _options.LockDuration });

        await Broker.SendAsync([Task("a", 0), Task("b", 0)], CancellationToken.None);
        await Broker.SendAsync([Task("a", 0), Task("a", 1)], CancellationToken.None);

        var stored = Peer.Messages(Broker.QueueName("default"));
        Assert.Equal(["a", "b", "a:1"], stored.Select(m => m.MessageId));
        Assert.Equal(3, (await Broker.GetDepthAsync("default", CancellationToken.None)).Ready);
        // Headers become application properties; a header named like the broker's own properties does not.
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", stored[0].ApplicationProperties["traceparent"]);
        Assert.False(stored[0].ApplicationProperties.ContainsKey("celeriac-deliveries"));
        var first = Assert.Single(await Broker.ReceiveAsync(["default"], 1, TimeSpan.FromMinutes(1), Patience, CancellationToken.None));
        Assert.Equal(1, first.DeliveryCount);
    }

    [Fact]
    public async Task A_task_past_its_expiry_is_dropped_by_the_service_through_its_TimeToLive()
    {
        // Documented: a message is not delivered after its TimeToLive, counted from its enqueued time.
        await Broker.SendAsync([Task("short", 0, DateTimeOffset.UtcNow.AddSeconds(1)), Task("long", 0, DateTimeOffset.UtcNow.AddHours(1))], CancellationToken.None);
        var ttl = Peer.Messages(Broker.QueueName("default")).ToDictionary(m => m.MessageId!, m => m.ExpiresAt - m.EnqueuedTime);
        Assert.InRange(ttl["short"]!.Value, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1.5));
        // The TimeToLive runs on the service's real clock.
        await System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(2.2));

        var received = await Broker.ReceiveAsync(["default"], 10, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None);
        Assert.Equal("long", EnvelopeSerializer.Deserialize(Assert.Single(received).Body.Span).Id);
    }

    [Fact]
    public async Task A_countdown_is_a_scheduled_message_with_no_limit_and_counts_as_delayed()
    {
        var due = DateTimeOffset.UtcNow.AddDays(3);
        await Broker.SendAsync([new OutgoingMessage("default", "later"u8.ToArray(), due)], CancellationToken.None);

        var stored = Assert.Single(Peer.Messages(Broker.QueueName("default")));
        Assert.Equal(PeerMessageState.Scheduled, stored.State);
        Assert.Equal(due.ToUnixTimeMilliseconds(), stored.ScheduledEnqueueTime!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(new QueueDepth(0, 0, 1), await Broker.GetDepthAsync("default", CancellationToken.None));
        Assert.Empty(await Broker.ReceiveAsync(["default"], 10, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task A_dead_letter_is_in_the_queues_DeadLetterQueue_with_Celeriacs_reason_and_listing_it_changes_nothing()
    {
        await Broker.SendAsync([Task("poison", 0)], CancellationToken.None);
        var message = Assert.Single(await ReceiveAtLeastAsync("default", 1));

        await Broker.DeadLetterAsync(message, "unknown task 'orders.ship'", CancellationToken.None);

        // Documented: dead-lettering with a reason and description moves the message to <queue>/$DeadLetterQueue, body
        // and properties intact, with DeadLetterReason and DeadLetterErrorDescription set (what the portal shows).
        var name = Broker.QueueName("default");
        Assert.Empty(Peer.Messages(name));
        var stored = Assert.Single(Peer.DeadLetters(name));
        Assert.Equal("unknown task 'orders.ship'", stored.DeadLetterReason);
        Assert.Contains("Celeriac", stored.DeadLetterErrorDescription, StringComparison.Ordinal);
        Assert.Equal("poison", stored.MessageId);
        Assert.Equal(message.Body.ToArray(), stored.Body);

        var before = Peer.Operations.Snapshot();
        for (var i = 0; i < 3; i++)
        {
            var letter = Assert.Single(await Broker.ListDeadLettersAsync("default", 10, CancellationToken.None));
            Assert.Equal("unknown task 'orders.ship'", letter.Reason);
            Assert.Equal("default", letter.Queue);
            Assert.Equal(message.Body.ToArray(), letter.Body.ToArray());
        }
        // Browsing is peek: no lock taken, no delivery counted, nothing received over a link.
        var after = Assert.Single(Peer.DeadLetters(name));
        Assert.Equal(stored.DeliveryCount, after.DeliveryCount);
        Assert.Null(after.LockedUntil);
        Assert.Equal(before.GetValueOrDefault(PeerOperations.Delivery), Peer.Operations[PeerOperations.Delivery]);
        Assert.True(Peer.Operations["com.microsoft:peek-message"] > before.GetValueOrDefault("com.microsoft:peek-message"));
    }

    [Fact]
    public async Task Messages_the_service_dead_lettered_past_MaxDeliveryCount_are_listed_with_its_reason_and_deleted()
    {
        // Documented: past MaxDeliveryCount deliveries the service moves a message to $DeadLetterQueue with reason MaxDeliveryCountExceeded.
        Peer.CreateQueue(Broker.QueueName("default"), new PeerQueueSettings { MaxDeliveryCount = 2, LockDuration = TimeSpan.FromSeconds(1) });
        await Broker.SendAsync([new OutgoingMessage("default", "crashes workers"u8.ToArray())], CancellationToken.None);
        for (var i = 0; i < 2; i++)
            await Broker.ReleaseAsync(Assert.Single(await ReceiveAtLeastAsync("default", 1)), TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(0, (await Broker.GetDepthAsync("default", CancellationToken.None)).Total);
        var letter = Assert.Single(await Broker.ListDeadLettersAsync("default", 10, CancellationToken.None));
        Assert.Equal("default", letter.Queue);
        Assert.Equal("crashes workers", Encoding.UTF8.GetString(letter.Body.Span));
        Assert.StartsWith("dead-lettered by Service Bus: MaxDeliveryCountExceeded", letter.Reason, StringComparison.Ordinal);
        Assert.Single(await Broker.ListDeadLettersAsync(null, 10, CancellationToken.None));

        Assert.Equal(1, await Broker.DeleteDeadLettersAsync([letter.Id], CancellationToken.None));
        Assert.Empty(await Broker.ListDeadLettersAsync(null, 10, CancellationToken.None));
        Assert.Empty(Peer.DeadLetters(Broker.QueueName("default")));
    }

    [Fact]
    public async Task Deleting_one_dead_letter_leaves_the_others_where_they_were()
    {
        await Broker.SendAsync([.. Enumerable.Range(0, 5).Select(i => new OutgoingMessage("default", Encoding.UTF8.GetBytes($"m{i}")))], CancellationToken.None);
        foreach (var message in (await ReceiveAtLeastAsync("default", 5)).OrderBy(m => Encoding.UTF8.GetString(m.Body.Span), StringComparer.Ordinal))
            await Broker.DeadLetterAsync(message, "bad " + Encoding.UTF8.GetString(message.Body.Span), CancellationToken.None);
        var letters = await Broker.ListDeadLettersAsync("default", 10, CancellationToken.None);
        Assert.Equal(["bad m0", "bad m1", "bad m2", "bad m3", "bad m4"], letters.Select(l => l.Reason));

        Assert.Equal(1, await Broker.DeleteDeadLettersAsync([letters[3].Id, "default:999999", "not an id"], CancellationToken.None));

        Assert.Equal(["bad m0", "bad m1", "bad m2", "bad m4"], (await Broker.ListDeadLettersAsync("default", 10, CancellationToken.None)).Select(l => l.Reason));
        // The letters ahead of the deleted one were passed by and given back at once, not left locked.
        Assert.All(Peer.DeadLetters(Broker.QueueName("default")), m => Assert.Null(m.LockedUntil));
    }

    [Fact]
    public async Task A_message_over_the_size_limit_fails_at_enqueue_and_nothing_of_the_call_is_sent()
    {
        var small = new OutgoingMessage("big", "fine"u8.ToArray());
        var other = new OutgoingMessage("other", "fine"u8.ToArray());
        var large = new OutgoingMessage("big", Encoding.UTF8.GetBytes(new string('x', 256 * 1024 + 1)));

        var error = await Assert.ThrowsAsync<MessageTooLargeException>(async () => await Broker.SendAsync([other, small, large], CancellationToken.None));

        Assert.Equal("big", error.Queue);
        Assert.Equal(256 * 1024, error.Limit);
        Assert.Contains("object store", error.Message, StringComparison.Ordinal);
        Assert.Empty(Peer.Messages(Broker.QueueName("big")));
        Assert.Empty(Peer.Messages(Broker.QueueName("other")));
    }

    [Fact]
    public async Task Sends_are_batched_and_a_full_receive_takes_its_batch_in_one_operation()
    {
        await Broker.SendAsync([Task("warm", 0)], CancellationToken.None);
        Assert.Single(await ReceiveAtLeastAsync("default", 1));
        Peer.Operations.Reset();

        await Broker.SendAsync([.. Enumerable.Range(0, 500).Select(i => new OutgoingMessage("default", Encoding.UTF8.GetBytes($"m{i}")))], CancellationToken.None);
        var received = await Broker.ReceiveAsync(["default"], 50, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(50, received.Count);
        // The peer counts for the whole test class: bounds that another test's leftovers cannot break.
        Assert.True(Peer.Operations[PeerOperations.MessageSent] >= 500);
        Assert.InRange(Peer.Operations[PeerOperations.Send], 1, 3);
        // One credit grant for the 50 free slots, and only those 50 were delivered and locked (besides the first).
        Assert.InRange(Peer.Operations[PeerOperations.Credit], 1, 2);
        var stored = Peer.Messages(Broker.QueueName("default"));
        Assert.Equal(51, stored.Count(m => m.LockedUntil is not null));
        Assert.Equal(450, stored.Count(m => m.LockedUntil is null && m.DeliveryCount == 0));
    }

    [Fact]
    public async Task Credit_a_receive_did_not_use_locks_nothing_that_arrives_afterwards()
    {
        await Broker.SendAsync([new OutgoingMessage("default", "one"u8.ToArray()), new OutgoingMessage("default", "two"u8.ToArray())], CancellationToken.None);
        // Ten slots asked for, two messages there: eight credits are left on the link when the receive returns.
        var taken = await Broker.ReceiveAsync(["default"], 10, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(2, taken.Count);

        // The worker is now busy and asks for nothing: what arrives must stay free for other workers.
        await Broker.SendAsync([.. Enumerable.Range(0, 3).Select(i => new OutgoingMessage("default", Encoding.UTF8.GetBytes($"later{i}")))], CancellationToken.None);
        // A window in which the idle link must not lock what arrives.
        await System.Threading.Tasks.Task.Delay(500);

        var name = Broker.QueueName("default");
        Assert.Equal(2, Peer.Counts(name).Locked);
        // Azure.Messaging.ServiceBus 7.21 on Microsoft.Azure.Amqp 2.7.3 releases a transfer no receive is waiting for (AMQP's
        // released outcome, which does not count a delivery): the messages are available and were never counted delivered.
        var arrived = Peer.Messages(name).Where(m => Encoding.UTF8.GetString(m.Body!).StartsWith("later", StringComparison.Ordinal)).ToList();
        Assert.True(arrived.Count == 3, $"{arrived.Count} of 3 stored; dead letters {Peer.DeadLetters(name).Count}; peer operations {string.Join(", ", Peer.Operations.Snapshot().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))}");
        Assert.All(arrived, m => Assert.Equal((0, (DateTimeOffset?)null), (m.DeliveryCount, m.LockedUntil)));
        var later = await ReceiveAtLeastAsync("default", 3);
        Assert.All(later, m => Assert.Equal(1, m.DeliveryCount));
    }

    [Fact]
    public async Task A_lease_longer_than_the_lock_is_kept_by_renewals_and_an_extension_renews_only_when_due()
    {
        await Broker.SendAsync([new OutgoingMessage("default", "long task"u8.ToArray())], CancellationToken.None);
        var message = Assert.Single(await ReceiveAtLeastAsync("default", 1, lease: TimeSpan.FromSeconds(7)));
        var renewalsBefore = Peer.Operations["com.microsoft:renew-lock"];
        await Broker.ExtendLeaseAsync([message], TimeSpan.FromSeconds(7), CancellationToken.None);
        // Fresh lock: nothing was due yet.
        Assert.Equal(renewalsBefore, Peer.Operations["com.microsoft:renew-lock"]);

        // Renewals happen on the real clock: this window is past the two-second lock more than once.
        await System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(5));

        Assert.Empty(await Broker.ReceiveAsync(["default"], 1, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None));
        Assert.InRange(Peer.Operations["com.microsoft:renew-lock"] - renewalsBefore, 3, 9);
        Assert.Equal(1, Assert.Single(Peer.Messages(Broker.QueueName("default"))).DeliveryCount);
        await Broker.AckAsync([message], CancellationToken.None);
        Assert.Empty(Peer.Messages(Broker.QueueName("default")));
    }

    [Fact]
    public async Task A_delayed_release_is_a_scheduled_copy_that_keeps_the_delivery_count_and_properties()
    {
        await Broker.SendAsync([Task("rate-limited", 0)], CancellationToken.None);
        var first = Assert.Single(await ReceiveAtLeastAsync("default", 1));

        await Broker.ReleaseAsync(first, TimeSpan.FromSeconds(1), CancellationToken.None);

        var copy = Assert.Single(Peer.Messages(Broker.QueueName("default")));
        Assert.Equal(PeerMessageState.Scheduled, copy.State);
        Assert.Equal("rate-limited:r1", copy.MessageId);
        Assert.Equal("1", copy.ApplicationProperties["celeriac-deliveries"]);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", copy.ApplicationProperties["traceparent"]);
        var again = Assert.Single(await ReceiveAtLeastAsync("default", 1));
        Assert.Equal(2, again.DeliveryCount);
        Assert.Equal(first.Body.ToArray(), again.Body.ToArray());
    }

    [Fact]
    public async Task Purge_deletes_ready_scheduled_deferred_and_own_locked_messages_and_nothing_after_it()
    {
        await Broker.SendAsync([.. Enumerable.Range(0, 150).Select(i => new OutgoingMessage("default", Encoding.UTF8.GetBytes($"m{i}")))], CancellationToken.None);
        await Broker.SendAsync([new OutgoingMessage("default", "later"u8.ToArray(), DateTimeOffset.UtcNow.AddHours(1))], CancellationToken.None);
        var held = await ReceiveAtLeastAsync("default", 2);
        // A foreign deferred message (Celeriac never defers) is purged too.
        await using (var foreign = fixture.Client.CreateReceiver(Broker.QueueName("default")))
        {
            var deferred = Assert.Single(await foreign.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(5)));
            await foreign.DeferMessageAsync(deferred);
        }

        Assert.Equal(151, await Broker.PurgeAsync("default", CancellationToken.None));

        Assert.Equal(0, Peer.Counts(Broker.QueueName("default")).Total);
        await Broker.AckAsync(held, CancellationToken.None);
        await Broker.SendAsync([new OutgoingMessage("default", "after"u8.ToArray())], CancellationToken.None);
        // A window in which the message sent after the purge must stay, and stay active.
        await System.Threading.Tasks.Task.Delay(300);
        Assert.Equal(PeerMessageState.Active, Assert.Single(Peer.Messages(Broker.QueueName("default"))).State);
        Assert.Equal(new QueueDepth(1, 0, 0), await Broker.GetDepthAsync("default", CancellationToken.None));
    }

    [Fact]
    public async Task Transient_failures_and_a_dropped_connection_lose_and_repeat_nothing()
    {
        await Broker.SendAsync([.. Enumerable.Range(0, 20).Select(i => new OutgoingMessage("default", Encoding.UTF8.GetBytes($"m{i}")))], CancellationToken.None);
        var first = await ReceiveAtLeastAsync("default", 10);
        // The service times out a send, a complete and a renewal once each; then the network drops every connection.
        Peer.Faults.FailNext(PeerOperations.Send, 1, PeerFaults.Timeout);
        Peer.Faults.FailNext(PeerOperations.Complete, 1, PeerFaults.Timeout);
        Peer.Faults.FailNext("com.microsoft:renew-lock", 1, PeerFaults.Timeout);
        await Broker.SendAsync([new OutgoingMessage("default", "m20"u8.ToArray())], CancellationToken.None);
        await Broker.AckAsync(first.GetRange(0, 5), CancellationToken.None);
        await Broker.ExtendLeaseAsync(first.GetRange(5, 5), TimeSpan.FromSeconds(30), CancellationToken.None);
        // The lease outlasts the two-second lock: the renewals come within a second, the first of them times out.
        await Eventually.Until(() => Peer.Faults.Pending("com.microsoft:renew-lock") == 0, "the failing renewal was attempted", Patience);
        Peer.DropConnections();
        await Broker.AckAsync(first.GetRange(5, 5), CancellationToken.None);
        var rest = await ReceiveAtLeastAsync("default", 11);
        await Broker.AckAsync(rest, CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 21).Select(i => $"m{i}").Order(StringComparer.Ordinal),
            first.Concat(rest).Select(m => Encoding.UTF8.GetString(m.Body.Span)).Order(StringComparer.Ordinal));
        Assert.Equal(0, Peer.Faults.Pending(PeerOperations.Send) + Peer.Faults.Pending(PeerOperations.Complete) + Peer.Faults.Pending("com.microsoft:renew-lock"));
        Assert.Empty(Peer.Messages(Broker.QueueName("default")));
        Assert.Empty(Peer.DeadLetters(Broker.QueueName("default")));
    }

    [Fact]
    public async Task Messages_of_a_queue_that_does_not_exist_are_refused_without_AutoCreateQueues()
    {
        var options = ServiceBusTestBrokers.Options(fixture, fixture.NewPrefix());
        options.AutoCreateQueues = false;
        await using var broker = ServiceBusTestBrokers.Broker(fixture, options);

        var error = await Assert.ThrowsAsync<ServiceBusException>(async () => await broker.SendAsync([new OutgoingMessage("nowhere", "x"u8.ToArray())], CancellationToken.None));
        Assert.Equal(ServiceBusFailureReason.MessagingEntityNotFound, error.Reason);
        Assert.False(Peer.QueueExists(broker.QueueName("nowhere")));
        Assert.Equal(default, await broker.GetDepthAsync("nowhere", CancellationToken.None));
        Assert.Empty(await broker.ListDeadLettersAsync("nowhere", 10, CancellationToken.None));
    }
}
