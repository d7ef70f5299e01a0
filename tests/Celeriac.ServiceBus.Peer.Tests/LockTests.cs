using Azure.Messaging.ServiceBus;
using Celeriac.ServiceBus.Peer.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Peer.Tests;

/// <summary>
/// Locks and settlement. Documented behaviour checked ("Message transfers, locks, and settlement", "Prefetch"):
/// abandon makes the message available at once and it comes back with DeliveryCount raised; a lock that expires
/// counts as an abandon (the message returns, DeliveryCount raised) and settling with the old lock fails with
/// MessageLockLost; renew-lock extends the lock by the LockDuration; a locked message goes to no other receiver.
/// </summary>
public sealed class LockTests(PeerFixture fixture) : IClassFixture<PeerFixture>
{
    [Fact]
    public async Task Abandon_returns_the_message_at_once_with_its_delivery_count_raised()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(30) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("work"));
        await using var receiver = client.CreateReceiver(queue);

        var first = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(first);
        await receiver.AbandonMessageAsync(first, new Dictionary<string, object> { ["reason"] = "busy" });
        var second = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(second);
        Assert.Equal(first.SequenceNumber, second.SequenceNumber);
        Assert.Equal((1, 2), (first.DeliveryCount, second.DeliveryCount));
        Assert.NotEqual(first.LockToken, second.LockToken);
        Assert.Equal("busy", second.ApplicationProperties["reason"]);
        await receiver.CompleteMessageAsync(second);
    }

    [Fact]
    public async Task An_expired_lock_returns_the_message_with_its_delivery_count_raised_and_the_old_lock_is_lost()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(1.5) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("slow"));
        await using var receiver = client.CreateReceiver(queue);

        var first = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(first);
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(500)));
        var second = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(second);
        Assert.Equal(first.SequenceNumber, second.SequenceNumber);
        Assert.Equal(2, second.DeliveryCount);
        Assert.True(second.EnqueuedTime == first.EnqueuedTime);
        var lost = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.CompleteMessageAsync(first));
        Assert.Equal(ServiceBusFailureReason.MessageLockLost, lost.Reason);
        await receiver.CompleteMessageAsync(second);
        Assert.Equal(0, fixture.Peer.Counts(queue).Total);
    }

    [Fact]
    public async Task Renewing_a_lock_keeps_the_message_from_other_receivers_past_the_first_lock_duration()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(2) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("long task"));
        await using var holder = client.CreateReceiver(queue);
        await using var other = client.CreateReceiver(queue);

        var message = await holder.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(message);
        var firstLock = message.LockedUntil;
        for (var i = 0; i < 3; i++)
        {
            // Real time has to pass for a renewal to answer a later expiration.
            await Task.Delay(TimeSpan.FromSeconds(1));
            var before = message.LockedUntil;
            await holder.RenewMessageLockAsync(message);
            Assert.True(message.LockedUntil > before, "renew-lock answers a later expiration");
        }

        Assert.True(message.LockedUntil > firstLock.AddSeconds(2));
        Assert.Null(await other.ReceiveMessageAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(1, fixture.Peer.Messages(queue).Single().DeliveryCount);
        await holder.CompleteMessageAsync(message);
        Assert.True(fixture.Peer.Operations["com.microsoft:renew-lock"] >= 3);
    }

    [Fact]
    public async Task Renewing_an_expired_lock_fails_with_lock_lost()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(1) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("x"));
        await using var receiver = client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(message);
        // The lock runs out on the peer's real clock.
        await Task.Delay(TimeSpan.FromSeconds(1.3));

        var lost = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.RenewMessageLockAsync(message));
        Assert.Equal(ServiceBusFailureReason.MessageLockLost, lost.Reason);
    }

    [Fact]
    public async Task Locks_outlive_the_receiver_that_took_them_and_expire_as_usual()
    {
        // The peer's reading of "the lock is dropped" when a link or connection goes away: the broker keeps the lock
        // until it expires (a crashed worker's messages come back after the LockDuration), never sooner.
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(3) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("orphan"));
        await using (var crashed = client.CreateReceiver(queue))
            Assert.NotNull(await crashed.ReceiveMessageAsync(TimeSpan.FromSeconds(5)));

        await using var survivor = client.CreateReceiver(queue);
        Assert.Null(await survivor.ReceiveMessageAsync(TimeSpan.FromSeconds(1)));
        var message = await survivor.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(("orphan", 2), (message?.Body.ToString(), message?.DeliveryCount));
    }

    [Fact]
    public async Task Two_competing_receivers_never_hold_the_same_message_at_once()
    {
        const int Count = 60;
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(30) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessagesAsync(Enumerable.Range(0, Count).Select(i => new ServiceBusMessage($"m{i}")));

        var seen = new System.Collections.Concurrent.ConcurrentBag<(int Receiver, long Sequence)>();
        var completed = 0;
        async Task Consume(int id)
        {
            await using var receiver = client.CreateReceiver(queue, new ServiceBusReceiverOptions { PrefetchCount = id == 0 ? 0 : 5 });
            while (Volatile.Read(ref completed) < Count)
            {
                foreach (var message in await receiver.ReceiveMessagesAsync(7, TimeSpan.FromMilliseconds(300)))
                {
                    seen.Add((id, message.SequenceNumber));
                    await receiver.CompleteMessageAsync(message);
                    Interlocked.Increment(ref completed);
                }
            }
        }
        await Task.WhenAll(Consume(0), Consume(1)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Count, seen.Count);
        Assert.Equal(Count, seen.Select(s => s.Sequence).Distinct().Count());
        Assert.Equal(2, seen.Select(s => s.Receiver).Distinct().Count());
        Assert.Equal(0, fixture.Peer.Counts(queue).Total);
    }
}
