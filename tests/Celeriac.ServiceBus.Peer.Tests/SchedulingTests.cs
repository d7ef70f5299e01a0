using Azure.Messaging.ServiceBus;
using Celeriac.ServiceBus.Peer.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Peer.Tests;

/// <summary>
/// Scheduled and deferred messages. Documented behaviour checked ("Scheduled messages", "Message deferral"): a scheduled
/// message is not available before its ScheduledEnqueueTime, is counted as scheduled meanwhile and shows state
/// Scheduled to peek; cancelling by the sequence number the schedule call returned removes it; a message sent with
/// ScheduledEnqueueTime set is scheduled the same way; a deferred message is received only by its sequence number.
/// </summary>
public sealed class SchedulingTests(PeerFixture fixture) : IClassFixture<PeerFixture>
{
    [Fact]
    public async Task A_scheduled_message_is_delivered_not_before_its_time()
    {
        var queue = fixture.NewQueue();
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        var due = DateTimeOffset.UtcNow.AddSeconds(3);
        var sequence = await sender.ScheduleMessageAsync(new ServiceBusMessage("later"), due);

        Assert.True(sequence > 0);
        Assert.Equal(new PeerQueueCounts(0, 1, 0, 0, 0), fixture.Peer.Counts(queue));
        await using var receiver = client.CreateReceiver(queue);
        var peeked = await receiver.PeekMessageAsync();
        Assert.NotNull(peeked);
        Assert.Equal((ServiceBusMessageState.Scheduled, sequence), (peeked.State, peeked.SequenceNumber));
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(500)));

        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(message);
        Assert.True(DateTimeOffset.UtcNow >= due.AddMilliseconds(-50), "not delivered before its time");
        Assert.Equal(("later", sequence, ServiceBusMessageState.Active), (message.Body.ToString(), message.SequenceNumber, message.State));
        Assert.True(message.EnqueuedTime >= due.AddMilliseconds(-1));
        await receiver.CompleteMessageAsync(message);
    }

    [Fact]
    public async Task A_message_sent_with_a_scheduled_enqueue_time_is_scheduled_too()
    {
        var queue = fixture.NewQueue();
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("countdown") { ScheduledEnqueueTime = DateTimeOffset.UtcNow.AddSeconds(2.5) });

        Assert.Equal(1, fixture.Peer.Counts(queue).Scheduled);
        await using var receiver = client.CreateReceiver(queue);
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(500)));
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("countdown", message?.Body.ToString());
    }

    [Fact]
    public async Task A_cancelled_scheduled_message_is_never_delivered()
    {
        var queue = fixture.NewQueue();
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        var keep = await sender.ScheduleMessageAsync(new ServiceBusMessage("keep"), DateTimeOffset.UtcNow.AddSeconds(1));
        var cancel = await sender.ScheduleMessageAsync(new ServiceBusMessage("cancel"), DateTimeOffset.UtcNow.AddSeconds(1));

        await sender.CancelScheduledMessageAsync(cancel);

        Assert.Equal([keep], fixture.Peer.Messages(queue).Select(m => m.SequenceNumber));
        await using var receiver = client.CreateReceiver(queue);
        var received = await receiver.ReceiveMessagesAsync(5, TimeSpan.FromSeconds(3));
        Assert.Equal(["keep"], received.Select(m => m.Body.ToString()));
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task A_deferred_message_is_received_only_by_its_sequence_number()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(30) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("deferred"));
        await using var receiver = client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(message);

        await receiver.DeferMessageAsync(message);

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(1, fixture.Peer.Counts(queue).Deferred);
        var again = await receiver.ReceiveDeferredMessageAsync(message.SequenceNumber);
        Assert.Equal(("deferred", ServiceBusMessageState.Deferred, 2), (again.Body.ToString(), again.State, again.DeliveryCount));
        await receiver.CompleteMessageAsync(again);
        Assert.Equal(0, fixture.Peer.Counts(queue).Total);
    }
}
