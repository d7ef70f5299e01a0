using Azure.Messaging.ServiceBus;
using Celeriac.ServiceBus.Peer.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Peer.Tests;

/// <summary>
/// Sending and receiving through the unmodified SDK. Documented behaviour checked: "Message transfers, locks, and
/// settlement" (peek-lock takes a lock for the queue's LockDuration and counts a delivery; complete removes the message;
/// receive-and-delete removes it as it is received) and the protocol guide's message mapping (sequence number, enqueued
/// time and locked-until annotations, lock token = delivery tag, delivery count from the header).
/// </summary>
public sealed class SendReceiveTests(PeerFixture fixture) : IClassFixture<PeerFixture>
{
    [Fact]
    public async Task A_sent_message_arrives_with_its_properties_and_a_lock_and_complete_removes_it()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(30) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        var sent = new ServiceBusMessage("hello") { MessageId = "m-1", Subject = "greeting", ContentType = "text/plain", CorrelationId = "c-1" };
        sent.ApplicationProperties["celeriac-task"] = "emails.send";
        sent.ApplicationProperties["attempt"] = 2;
        var before = DateTimeOffset.UtcNow;
        await sender.SendMessageAsync(sent);

        await using var receiver = client.CreateReceiver(queue);
        var received = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(received);
        Assert.Equal("hello", received.Body.ToString());
        Assert.Equal(("m-1", "greeting", "text/plain", "c-1"), (received.MessageId, received.Subject, received.ContentType, received.CorrelationId));
        Assert.Equal("emails.send", received.ApplicationProperties["celeriac-task"]);
        Assert.Equal(2, received.ApplicationProperties["attempt"]);
        Assert.Equal(1, received.DeliveryCount);
        Assert.True(received.SequenceNumber > 0);
        Assert.InRange(received.EnqueuedTime, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.InRange(received.LockedUntil, before.AddSeconds(29), DateTimeOffset.UtcNow.AddSeconds(31));
        Assert.NotEqual(Guid.Empty.ToString(), received.LockToken);
        Assert.Equal(new PeerQueueCounts(Active: 1, Scheduled: 0, Deferred: 0, Locked: 1, DeadLetter: 0), fixture.Peer.Counts(queue));

        await receiver.CompleteMessageAsync(received);

        Assert.Equal(0, fixture.Peer.Counts(queue).Total);
        var again = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.CompleteMessageAsync(received));
        Assert.Equal(ServiceBusFailureReason.MessageLockLost, again.Reason);
    }

    [Fact]
    public async Task A_body_of_several_data_sections_arrives_with_every_section()
    {
        // AMQP 1.0, 3.2: a message body is one or more data sections; the service hands them on as they were sent.
        var queue = fixture.NewQueue();
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        var sent = new ServiceBusMessage(new Azure.Core.Amqp.AmqpAnnotatedMessage(new Azure.Core.Amqp.AmqpMessageBody(
            [new ReadOnlyMemory<byte>("ab"u8.ToArray()), new ReadOnlyMemory<byte>("cd"u8.ToArray()), new ReadOnlyMemory<byte>("ef"u8.ToArray())])))
        {
            MessageId = "sections", Subject = "split",
        };
        sent.ApplicationProperties["k"] = "v";
        await sender.SendMessageAsync(sent);

        await using var receiver = client.CreateReceiver(queue);
        var received = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        var peeked = await receiver.PeekMessageAsync(fromSequenceNumber: received!.SequenceNumber);

        Assert.True(received.GetRawAmqpMessage().Body.TryGetData(out var sections));
        Assert.Equal(["ab", "cd", "ef"], sections!.Select(s => System.Text.Encoding.UTF8.GetString(s.Span)));
        Assert.Equal("abcdef", received.Body.ToString());
        Assert.Equal(("sections", "split", "v", 1), (received.MessageId, received.Subject, received.ApplicationProperties["k"], received.DeliveryCount));
        Assert.Equal("abcdef", peeked!.Body.ToString());
    }

    [Fact]
    public async Task A_batch_goes_in_one_transfer_and_comes_back_in_order_through_prefetch()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(30) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        using var batch = await sender.CreateMessageBatchAsync();
        for (var i = 0; i < 20; i++) Assert.True(batch.TryAddMessage(new ServiceBusMessage($"body-{i}") { MessageId = $"id-{i}" }));
        fixture.Peer.Operations.Reset();
        await sender.SendMessagesAsync(batch);
        Assert.Equal(1, fixture.Peer.Operations[PeerOperations.Send]);
        Assert.Equal(20, fixture.Peer.Operations[PeerOperations.MessageSent]);

        // With prefetch the SDK's link grants credit for PrefetchCount messages and restores a unit as each delivery is
        // settled, so at most 10 are locked for this receiver at once; completing makes room for the rest.
        await using var receiver = client.CreateReceiver(queue, new ServiceBusReceiverOptions { PrefetchCount = 10 });
        var received = new List<ServiceBusReceivedMessage>();
        while (received.Count < 20)
        {
            var some = await receiver.ReceiveMessagesAsync(20, TimeSpan.FromSeconds(5));
            Assert.NotEmpty(some);
            Assert.InRange(fixture.Peer.Counts(queue).Locked, some.Count, 10);
            received.AddRange(some);
            foreach (var message in some) await receiver.CompleteMessageAsync(message);
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"body-{i}"), received.Select(m => m.Body.ToString()));
        Assert.Equal(received.Select(m => m.SequenceNumber).Order(), received.Select(m => m.SequenceNumber));
        Assert.Equal(20, received.Select(m => m.LockToken).Distinct().Count());
        Assert.Equal(0, fixture.Peer.Counts(queue).Total);
    }

    [Fact]
    public async Task Prefetch_fills_no_more_than_the_link_credit_the_receiver_grants()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(30) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessagesAsync(Enumerable.Range(0, 30).Select(i => new ServiceBusMessage($"m{i}")));

        await using var receiver = client.CreateReceiver(queue, new ServiceBusReceiverOptions { PrefetchCount = 5 });
        var first = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(first);

        // Locked = the message handed out plus what sits in the prefetch buffer: never the whole queue.
        var locked = await Eventually.Value(() => fixture.Peer.Counts(queue).Locked, n => n >= 5, "prefetch filled", TimeSpan.FromSeconds(5));
        // A window in which the prefetch must not take more.
        await Task.Delay(200);
        Assert.InRange(fixture.Peer.Counts(queue).Locked, 5, 6);
        Assert.Equal(locked, fixture.Peer.Counts(queue).Locked);
    }

    [Fact]
    public async Task Receive_and_delete_removes_the_message_as_it_is_received()
    {
        var queue = fixture.NewQueue();
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessagesAsync([new ServiceBusMessage("a"), new ServiceBusMessage("b")]);

        await using var receiver = client.CreateReceiver(queue, new ServiceBusReceiverOptions { ReceiveMode = ServiceBusReceiveMode.ReceiveAndDelete });
        var received = new List<ServiceBusReceivedMessage>();
        while (received.Count < 2) received.AddRange(await receiver.ReceiveMessagesAsync(2, TimeSpan.FromSeconds(5)));

        Assert.Equal(["a", "b"], received.Select(m => m.Body.ToString()));
        Assert.Equal(0, fixture.Peer.Counts(queue).Total);
    }

    [Fact]
    public async Task Sending_to_a_missing_queue_fails_with_entity_not_found()
    {
        await using var client = fixture.Client();
        await using var sender = client.CreateSender("no-such-queue");
        var error = await Assert.ThrowsAsync<ServiceBusException>(() => sender.SendMessageAsync(new ServiceBusMessage("x")));
        Assert.Equal(ServiceBusFailureReason.MessagingEntityNotFound, error.Reason);
    }

    [Fact]
    public async Task A_message_over_the_link_size_limit_is_refused_before_it_is_sent()
    {
        var queue = fixture.NewQueue();
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        var error = await Assert.ThrowsAsync<ServiceBusException>(() => sender.SendMessageAsync(new ServiceBusMessage(new byte[300 * 1024])));
        Assert.Equal(ServiceBusFailureReason.MessageSizeExceeded, error.Reason);
        Assert.Equal(0, fixture.Peer.Counts(queue).Total);
    }
}
