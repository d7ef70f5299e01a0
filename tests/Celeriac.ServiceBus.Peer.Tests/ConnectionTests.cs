using Azure.Messaging.ServiceBus;
using Celeriac.ServiceBus.Peer.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Peer.Tests;

/// <summary>
/// Connection, authorization and the fixture's fault hooks. Documented behaviour checked (protocol guide, claims-based
/// authorization; "Service Bus access control with Shared Access Signatures"): a link is attached only after a valid
/// token for its entity was put on <c>$cbs</c>, so a client with the wrong key cannot send; busy and timeout answers
/// (<c>com.microsoft:server-busy</c>, <c>com.microsoft:timeout</c>) are transient and the SDK tries again (after
/// server-busy only once its ten-second back-off has passed); after a connection drops the SDK reconnects.
/// </summary>
public sealed class ConnectionTests(PeerFixture fixture) : IClassFixture<PeerFixture>
{
    [Fact]
    public async Task A_client_with_the_wrong_key_cannot_send()
    {
        var queue = fixture.NewQueue();
        var wrong = fixture.Peer.ConnectionString.Replace(fixture.Peer.Key, Convert.ToBase64String(new byte[32]), StringComparison.Ordinal);
        await using var client = new ServiceBusClient(wrong, new ServiceBusClientOptions { RetryOptions = new ServiceBusRetryOptions { MaxRetries = 0, TryTimeout = TimeSpan.FromSeconds(5) } });
        await using var sender = client.CreateSender(queue);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => sender.SendMessageAsync(new ServiceBusMessage("x")));
        Assert.Equal(0, fixture.Peer.Counts(queue).Total);
        Assert.True(fixture.Peer.Operations[PeerOperations.PutToken] >= 1);
    }

    [Fact]
    public async Task A_busy_answer_to_a_send_is_retried_by_the_sdk()
    {
        var queue = fixture.NewQueue();
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("warm-up"));
        fixture.Peer.Operations.Reset();
        fixture.Peer.Faults.FailNext(PeerOperations.Send);

        await sender.SendMessageAsync(new ServiceBusMessage("after busy"));

        Assert.Equal(0, fixture.Peer.Faults.Pending(PeerOperations.Send));
        Assert.Equal(2, fixture.Peer.Operations[PeerOperations.Send]);
        Assert.Equal(2, fixture.Peer.Messages(queue).Count);
    }

    [Fact]
    public async Task A_timeout_answer_to_a_complete_is_retried_by_the_sdk()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(30) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("x"));
        await using var receiver = client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(message);
        fixture.Peer.Operations.Reset();
        fixture.Peer.Faults.FailNext(PeerOperations.Complete, condition: PeerFaults.Timeout);

        await receiver.CompleteMessageAsync(message);

        Assert.Equal(0, fixture.Peer.Counts(queue).Total);
        Assert.Equal(0, fixture.Peer.Faults.Pending(PeerOperations.Complete));
        // The failed disposition settled the delivery on the link, so the SDK's retry completes through $management.
        Assert.Equal((1, 1), (fixture.Peer.Operations[PeerOperations.Complete], fixture.Peer.Operations["com.microsoft:update-disposition"]));
    }

    [Fact]
    public async Task A_timeout_answer_to_a_renew_lock_is_retried_by_the_sdk()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(30) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("x"));
        await using var receiver = client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(message);
        fixture.Peer.Operations.Reset();
        fixture.Peer.Faults.FailNext("com.microsoft:renew-lock", 2, PeerFaults.Timeout);

        await receiver.RenewMessageLockAsync(message);

        Assert.Equal(0, fixture.Peer.Faults.Pending("com.microsoft:renew-lock"));
        Assert.Equal(3, fixture.Peer.Operations["com.microsoft:renew-lock"]);
    }

    [Fact]
    public async Task Held_back_deliveries_reach_a_waiting_receiver_once_released()
    {
        var queue = fixture.NewQueue();
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await using var receiver = client.CreateReceiver(queue);
        var hold = fixture.Peer.HoldDeliveries(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("held"));

        var waiting = receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        // A window in which the held delivery must not arrive.
        await Task.Delay(400);
        Assert.False(waiting.IsCompleted);
        hold.Dispose();

        var message = await waiting;
        Assert.Equal("held", message?.Body.ToString());
    }

    [Fact]
    public async Task The_sdk_reconnects_after_the_peer_drops_its_connections()
    {
        var queue = fixture.NewQueue();
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("before"));
        var connections = fixture.Peer.Operations[PeerOperations.Connection];

        fixture.Peer.DropConnections();
        await sender.SendMessageAsync(new ServiceBusMessage("after"));

        Assert.Equal(2, fixture.Peer.Messages(queue).Count);
        Assert.True(fixture.Peer.Operations[PeerOperations.Connection] > connections);
    }
}
