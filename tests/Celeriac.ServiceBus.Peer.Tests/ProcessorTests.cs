using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using Celeriac.ServiceBus.Peer.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Peer.Tests;

/// <summary>
/// ServiceBusProcessor over the peer. Documented behaviour checked ("Message transfers, locks, and settlement", lock
/// renewal): the processor renews the lock of a message whose handler runs longer than the LockDuration, so the message
/// is not delivered again while the handler runs, and completing it afterwards succeeds.
/// </summary>
public sealed class ProcessorTests(PeerFixture fixture) : IClassFixture<PeerFixture>
{
    [Fact]
    public async Task A_handler_longer_than_the_lock_keeps_its_message_through_auto_lock_renewal()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(2) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessagesAsync([new ServiceBusMessage("slow-1"), new ServiceBusMessage("slow-2")]);
        fixture.Peer.Operations.Reset();

        var calls = new ConcurrentBag<(string Body, int DeliveryCount)>();
        var errors = new ConcurrentBag<Exception>();
        await using var processor = client.CreateProcessor(queue, new ServiceBusProcessorOptions
        {
            MaxConcurrentCalls = 2,
            AutoCompleteMessages = true,
            MaxAutoLockRenewalDuration = TimeSpan.FromSeconds(30),
        });
        processor.ProcessMessageAsync += async args =>
        {
            calls.Add((args.Message.Body.ToString(), args.Message.DeliveryCount));
            await Task.Delay(TimeSpan.FromSeconds(5));
        };
        processor.ProcessErrorAsync += args =>
        {
            errors.Add(args.Exception);
            return Task.CompletedTask;
        };

        await processor.StartProcessingAsync();
        await Eventually.Value(() => fixture.Peer.Counts(queue).Total, n => n == 0, "both messages completed", TimeSpan.FromSeconds(20));
        await processor.StopProcessingAsync();

        Assert.Empty(errors);
        Assert.Equal(["slow-1", "slow-2"], calls.Select(c => c.Body).Order());
        Assert.All(calls, c => Assert.Equal(1, c.DeliveryCount));
        Assert.True(fixture.Peer.Operations["com.microsoft:renew-lock"] >= 4, $"renewals: {fixture.Peer.Operations["com.microsoft:renew-lock"]}");
        Assert.Equal(2, fixture.Peer.Operations[PeerOperations.Complete]);
        Assert.Equal(0, fixture.Peer.Counts(queue).DeadLetter);
    }
}
