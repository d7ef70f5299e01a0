using Azure.Messaging.ServiceBus;
using Celeriac.ServiceBus.Peer.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Peer.Tests;

/// <summary>
/// Time-to-live and duplicate detection. Documented behaviour checked ("Message expiration (Time to Live)",
/// "Duplicate detection"): a message past its TimeToLive is never delivered and is dropped, or moved to the dead-letter
/// queue with reason TTLExpiredException when the queue dead-letters on expiration; the queue's DefaultMessageTimeToLive
/// caps a message's own; on a queue that requires duplicate detection a MessageId seen within the history window is
/// accepted and dropped, and without it both copies stay.
/// </summary>
public sealed class ExpiryAndDuplicateTests(PeerFixture fixture) : IClassFixture<PeerFixture>
{
    [Fact]
    public async Task A_message_past_its_time_to_live_is_not_delivered()
    {
        var queue = fixture.NewQueue();
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessagesAsync([new ServiceBusMessage("short") { TimeToLive = TimeSpan.FromSeconds(1) }, new ServiceBusMessage("long")]);
        var expiresAt = fixture.Peer.Messages(queue)[0].ExpiresAt;
        Assert.NotNull(expiresAt);

        // The TimeToLive runs on the peer's real clock, as the SDK's own timers do.
        await Task.Delay(TimeSpan.FromSeconds(1.3));
        await using var receiver = client.CreateReceiver(queue);
        var received = await receiver.ReceiveMessagesAsync(5, TimeSpan.FromSeconds(2));

        Assert.Equal(["long"], received.Select(m => m.Body.ToString()));
        Assert.Equal(0, fixture.Peer.Counts(queue).DeadLetter);
    }

    [Fact]
    public async Task An_expired_message_is_dead_lettered_when_the_queue_says_so()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { DeadLetteringOnMessageExpiration = true, DefaultMessageTimeToLive = TimeSpan.FromSeconds(1) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("stale") { TimeToLive = TimeSpan.FromHours(1) });

        var dead = await Eventually.Value(() => fixture.Peer.DeadLetters(queue), d => d.Count == 1, "expired into the dead-letter queue", TimeSpan.FromSeconds(5));
        Assert.Equal("TTLExpiredException", dead[0].DeadLetterReason);
        await using var receiver = client.CreateReceiver(queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(("stale", "TTLExpiredException"), (message?.Body.ToString(), message?.DeadLetterReason));
    }

    [Fact]
    public async Task A_received_message_reports_when_it_expires()
    {
        var queue = fixture.NewQueue();
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("x") { TimeToLive = TimeSpan.FromMinutes(5) });
        await using var receiver = client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(message);
        Assert.Equal(TimeSpan.FromMinutes(5), message.TimeToLive);
        Assert.Equal(message.EnqueuedTime + TimeSpan.FromMinutes(5), message.ExpiresAt);
    }

    [Fact]
    public async Task Duplicate_detection_drops_a_message_id_seen_within_the_window()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { RequiresDuplicateDetection = true });
        var plain = fixture.NewQueue();
        await using var client = fixture.Client();
        foreach (var name in new[] { queue, plain })
        {
            await using var sender = client.CreateSender(name);
            await sender.SendMessageAsync(new ServiceBusMessage("first") { MessageId = "task-1" });
            await sender.SendMessageAsync(new ServiceBusMessage("again") { MessageId = "task-1" });
            await sender.SendMessagesAsync([new ServiceBusMessage("other") { MessageId = "task-2" }, new ServiceBusMessage("batched copy") { MessageId = "task-2" }]);
        }

        Assert.Equal(["first", "other"], fixture.Peer.Messages(queue).Select(m => System.Text.Encoding.UTF8.GetString(m.Body!)));
        Assert.Equal(4, fixture.Peer.Messages(plain).Count);
    }

    [Fact]
    public async Task A_message_id_is_accepted_again_after_the_history_window()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { RequiresDuplicateDetection = true, DuplicateDetectionHistoryTimeWindow = TimeSpan.FromMilliseconds(500) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("first") { MessageId = "id" });
        // The history window runs on the peer's real clock.
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        await sender.SendMessageAsync(new ServiceBusMessage("later") { MessageId = "id" });

        Assert.Equal(2, fixture.Peer.Messages(queue).Count);
    }
}
