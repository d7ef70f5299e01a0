using Azure.Messaging.ServiceBus;
using Celeriac.ServiceBus.Peer.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Peer.Tests;

/// <summary>
/// Dead-lettering. Documented behaviour checked ("Overview of Service Bus dead-letter queues"): a message delivered
/// MaxDeliveryCount times and not completed moves to <c>&lt;queue&gt;/$DeadLetterQueue</c> with DeadLetterReason
/// <c>MaxDeliveryCountExceeded</c>; DeadLetterMessageAsync moves it there with the reason and description the receiver
/// gave, readable as DeadLetterReason / DeadLetterErrorDescription by a receiver on SubQueue.DeadLetter; the message
/// keeps its body, properties and sequence number; the queue's runtime properties count it as dead-lettered; nothing
/// can be sent to a dead-letter queue.
/// </summary>
public sealed class DeadLetterTests(PeerFixture fixture) : IClassFixture<PeerFixture>
{
    [Fact]
    public async Task Past_max_delivery_count_a_message_moves_to_the_dead_letter_queue()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { MaxDeliveryCount = 3, LockDuration = TimeSpan.FromSeconds(30) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("poison") { MessageId = "p-1" });
        await using var receiver = client.CreateReceiver(queue);

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
            Assert.NotNull(message);
            Assert.Equal(attempt, message.DeliveryCount);
            await receiver.AbandonMessageAsync(message);
        }

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(300)));
        await using var deadLetters = client.CreateReceiver(queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await deadLetters.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(dead);
        Assert.Equal(("p-1", "poison", "MaxDeliveryCountExceeded"), (dead.MessageId, dead.Body.ToString(), dead.DeadLetterReason));
        Assert.False(string.IsNullOrEmpty(dead.DeadLetterErrorDescription));
        Assert.Equal(new PeerQueueCounts(0, 0, 0, 0, 1), fixture.Peer.Counts(queue));
        await deadLetters.CompleteMessageAsync(dead);
        Assert.Equal(0, fixture.Peer.Counts(queue).Total);
    }

    [Fact]
    public async Task An_expired_lock_counts_towards_max_delivery_count()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { MaxDeliveryCount = 1, LockDuration = TimeSpan.FromSeconds(1) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("crashes its worker"));
        await using (var receiver = client.CreateReceiver(queue))
            Assert.NotNull(await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5)));

        var dead = await Eventually.Value(() => fixture.Peer.DeadLetters(queue), d => d.Count == 1, "dead-lettered after the lock expired", TimeSpan.FromSeconds(5));
        Assert.Equal("MaxDeliveryCountExceeded", dead[0].DeadLetterReason);
        Assert.Equal(1, dead[0].DeliveryCount);
    }

    [Fact]
    public async Task Dead_lettering_with_a_reason_and_description_shows_them_on_the_dead_letter_message()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(30) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        var sent = new ServiceBusMessage("{\"task\":\"emails.send\"}") { MessageId = "task-7" };
        sent.ApplicationProperties["celeriac-task"] = "emails.send";
        await sender.SendMessageAsync(sent);
        await using var receiver = client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(message);

        await receiver.DeadLetterMessageAsync(message, "celeriac:max-retries", "TimeoutException after 5 retries");

        await using var deadLetters = client.CreateReceiver(queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var dead = await deadLetters.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(dead);
        Assert.Equal("celeriac:max-retries", dead.DeadLetterReason);
        Assert.Equal("TimeoutException after 5 retries", dead.DeadLetterErrorDescription);
        Assert.Equal(("task-7", message.SequenceNumber, "emails.send"), (dead.MessageId, dead.SequenceNumber, dead.ApplicationProperties["celeriac-task"]));
        Assert.Equal(sent.Body.ToString(), dead.Body.ToString());

        var runtime = (await fixture.Administration().GetQueueRuntimePropertiesAsync(queue)).Value;
        Assert.Equal((0, 1), (runtime.ActiveMessageCount, runtime.DeadLetterMessageCount));
        var lost = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.CompleteMessageAsync(message));
        Assert.Equal(ServiceBusFailureReason.MessageLockLost, lost.Reason);
    }

    [Fact]
    public async Task Dead_letter_queue_messages_can_be_browsed_without_being_locked()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(30) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessagesAsync([new ServiceBusMessage("a"), new ServiceBusMessage("b")]);
        await using var receiver = client.CreateReceiver(queue);
        foreach (var message in await ReceiveAll(receiver, 2)) await receiver.DeadLetterMessageAsync(message, "bad", "bad input");

        await using var deadLetters = client.CreateReceiver(queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var peeked = await deadLetters.PeekMessagesAsync(10);
        Assert.Equal(["a", "b"], peeked.Select(m => m.Body.ToString()));
        Assert.All(peeked, m => Assert.Equal("bad", m.DeadLetterReason));
        Assert.All(fixture.Peer.DeadLetters(queue), m => Assert.Null(m.LockedUntil));
        Assert.Equal(peeked.Select(m => m.DeliveryCount), fixture.Peer.DeadLetters(queue).Select(m => m.DeliveryCount));
    }

    [Fact]
    public async Task Sending_to_a_dead_letter_queue_is_refused()
    {
        var queue = fixture.NewQueue();
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue + "/$DeadLetterQueue");
        // The attach is refused with amqp:not-allowed, which the SDK raises as InvalidOperationException.
        await Assert.ThrowsAsync<InvalidOperationException>(() => sender.SendMessageAsync(new ServiceBusMessage("x")));
        Assert.Equal(0, fixture.Peer.Counts(queue).Total);
    }

    private static async Task<List<ServiceBusReceivedMessage>> ReceiveAll(ServiceBusReceiver receiver, int count)
    {
        var all = new List<ServiceBusReceivedMessage>();
        while (all.Count < count) all.AddRange(await receiver.ReceiveMessagesAsync(count - all.Count, TimeSpan.FromSeconds(5)));
        return all;
    }
}
