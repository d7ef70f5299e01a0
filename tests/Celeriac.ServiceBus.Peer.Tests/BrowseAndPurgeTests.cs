using System.Reflection;
using Azure.Messaging.ServiceBus;
using Celeriac.ServiceBus.Peer.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Peer.Tests;

/// <summary>
/// Browsing and purging. Documented behaviour checked ("Message browsing", request-response operations
/// <c>com.microsoft:peek-message</c> and <c>com.microsoft:batch-delete-messages</c>): peek returns messages from a
/// sequence number on, in every state, without locking them or counting a delivery; batch delete removes up to the
/// given count of messages enqueued before the given time and answers how many it removed, which is what the SDK's
/// purge repeats until nothing is left.
/// </summary>
public sealed class BrowseAndPurgeTests(PeerFixture fixture) : IClassFixture<PeerFixture>
{
    [Fact]
    public async Task Peek_neither_locks_nor_raises_the_delivery_count()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(30) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessagesAsync([new ServiceBusMessage("one"), new ServiceBusMessage("two"), new ServiceBusMessage("three")]);
        await using var browser = client.CreateReceiver(queue);

        var first = await browser.PeekMessagesAsync(10);
        var second = await browser.PeekMessagesAsync(10, fromSequenceNumber: first[0].SequenceNumber);

        Assert.Equal(["one", "two", "three"], first.Select(m => m.Body.ToString()));
        Assert.Equal(first.Select(m => m.SequenceNumber), second.Select(m => m.SequenceNumber));
        Assert.All(first.Concat(second), m => Assert.Equal(0, m.DeliveryCount));
        Assert.Equal(0, fixture.Peer.Counts(queue).Locked);
        Assert.All(fixture.Peer.Messages(queue), m => Assert.Equal(0, m.DeliveryCount));

        await using var receiver = client.CreateReceiver(queue);
        var received = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(("one", 1), (received?.Body.ToString(), received?.DeliveryCount));
        var whileLocked = await browser.PeekMessagesAsync(10, fromSequenceNumber: first[0].SequenceNumber);
        Assert.Equal(3, whileLocked.Count);
        Assert.Equal(1, whileLocked[0].DeliveryCount);
        Assert.Empty(await browser.PeekMessagesAsync(10, fromSequenceNumber: first[^1].SequenceNumber + 1));
    }

    [Fact]
    public async Task Purge_deletes_every_message_enqueued_before_now_in_batches()
    {
        var queue = fixture.NewQueue();
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessagesAsync(Enumerable.Range(0, 700).Select(i => new ServiceBusMessage($"m{i}")));
        await using var receiver = client.CreateReceiver(queue);
        fixture.Peer.Operations.Reset();

        // Azure.Messaging.ServiceBus 7.21 builds purge and batch delete but keeps them internal; called here as the
        // library would, to check the peer answers what those methods send.
        var purge = typeof(ServiceBusReceiver).GetMethod("PurgeMessagesAsync", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("ServiceBusReceiver.PurgeMessagesAsync is gone; if it is public now, call it directly");
        var purged = await (Task<int>)purge.Invoke(receiver, [null, CancellationToken.None])!;

        Assert.Equal(700, purged);
        Assert.Equal(0, fixture.Peer.Counts(queue).Total);
        Assert.Equal(3, fixture.Peer.Operations["com.microsoft:batch-delete-messages"]);
    }

    [Fact]
    public async Task Batch_delete_leaves_messages_enqueued_after_the_given_time()
    {
        var queue = fixture.NewQueue();
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessagesAsync([new ServiceBusMessage("old1"), new ServiceBusMessage("old2")]);
        // Enqueued times on either side of the cut must differ on the peer's real clock.
        await Task.Delay(100);
        var cut = DateTimeOffset.UtcNow;
        await Task.Delay(100);
        await sender.SendMessageAsync(new ServiceBusMessage("new"));
        await using var receiver = client.CreateReceiver(queue);

        var delete = typeof(ServiceBusReceiver).GetMethod("DeleteMessagesAsync", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("ServiceBusReceiver.DeleteMessagesAsync is gone; if it is public now, call it directly");
        var deleted = await (Task<int>)delete.Invoke(receiver, [500, (DateTimeOffset?)cut, CancellationToken.None])!;

        Assert.Equal(2, deleted);
        Assert.Equal(["new"], fixture.Peer.Messages(queue).Select(m => System.Text.Encoding.UTF8.GetString(m.Body!)));
    }
}
