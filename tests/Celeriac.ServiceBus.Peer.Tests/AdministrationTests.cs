using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using Celeriac.ServiceBus.Peer.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Peer.Tests;

/// <summary>
/// ServiceBusAdministrationClient against the peer's Atom endpoint (the SDK's development-emulator mode sends plain HTTP
/// to the connection string's endpoint). Documented behaviour checked (Service Bus management REST API, queues):
/// create with a QueueDescription answers the created entry and 409 (MessagingEntityAlreadyExists) when it exists;
/// a GET of a missing queue is "not found" (QueueExists false); runtime properties carry CountDetails (active,
/// scheduled, dead-letter) that match what the messaging side did; delete removes the queue.
/// </summary>
public sealed class AdministrationTests(PeerFixture fixture) : IClassFixture<PeerFixture>
{
    [Fact]
    public async Task A_queue_created_through_the_admin_client_has_the_requested_settings()
    {
        var admin = fixture.Administration();
        var name = "admin-" + Guid.NewGuid().ToString("N")[..8];

        var created = await admin.CreateQueueAsync(new CreateQueueOptions(name)
        {
            LockDuration = TimeSpan.FromSeconds(2),
            MaxDeliveryCount = 4,
            RequiresDuplicateDetection = true,
            DuplicateDetectionHistoryTimeWindow = TimeSpan.FromMinutes(3),
        });

        Assert.Equal((name, TimeSpan.FromSeconds(2), 4, true), (created.Value.Name, created.Value.LockDuration, created.Value.MaxDeliveryCount, created.Value.RequiresDuplicateDetection));
        var settings = fixture.Peer.Settings(name);
        Assert.Equal((TimeSpan.FromSeconds(2), 4, true, TimeSpan.FromMinutes(3)), (settings.LockDuration, settings.MaxDeliveryCount, settings.RequiresDuplicateDetection, settings.DuplicateDetectionHistoryTimeWindow));
        var fetched = (await admin.GetQueueAsync(name)).Value;
        Assert.Equal((TimeSpan.FromSeconds(2), 4), (fetched.LockDuration, fetched.MaxDeliveryCount));
        var again = await Assert.ThrowsAsync<ServiceBusException>(() => admin.CreateQueueAsync(name));
        Assert.Equal(ServiceBusFailureReason.MessagingEntityAlreadyExists, again.Reason);
    }

    [Fact]
    public async Task Queue_exists_answers_for_present_and_missing_queues_and_delete_removes_one()
    {
        var admin = fixture.Administration();
        var name = fixture.NewQueue();

        Assert.True((await admin.QueueExistsAsync(name)).Value);
        Assert.False((await admin.QueueExistsAsync("missing-" + Guid.NewGuid().ToString("N")[..8])).Value);
        var missing = await Assert.ThrowsAsync<ServiceBusException>(() => admin.GetQueueRuntimePropertiesAsync("missing-queue"));
        Assert.Equal(ServiceBusFailureReason.MessagingEntityNotFound, missing.Reason);

        await admin.DeleteQueueAsync(name);
        Assert.False(fixture.Peer.QueueExists(name));
        Assert.False((await admin.QueueExistsAsync(name)).Value);
    }

    [Fact]
    public async Task Runtime_properties_count_active_scheduled_and_dead_lettered_messages()
    {
        var queue = fixture.NewQueue(new PeerQueueSettings { LockDuration = TimeSpan.FromSeconds(30) });
        await using var client = fixture.Client();
        await using var sender = client.CreateSender(queue);
        await sender.SendMessagesAsync([new ServiceBusMessage("a"), new ServiceBusMessage("b"), new ServiceBusMessage("c")]);
        await sender.ScheduleMessageAsync(new ServiceBusMessage("later"), DateTimeOffset.UtcNow.AddHours(1));
        await using var receiver = client.CreateReceiver(queue);
        var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(message);
        await receiver.DeadLetterMessageAsync(message, "bad");
        Assert.NotNull(await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5)));

        var runtime = (await fixture.Administration().GetQueueRuntimePropertiesAsync(queue)).Value;

        // Service Bus counts a locked message as active.
        Assert.Equal((2, 1, 1, 4), (runtime.ActiveMessageCount, runtime.ScheduledMessageCount, runtime.DeadLetterMessageCount, runtime.TotalMessageCount));
        Assert.True(runtime.SizeInBytes > 0);
        Assert.True(runtime.CreatedAt > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task Queues_can_be_listed()
    {
        var name = fixture.NewQueue();
        var names = new List<string>();
        await foreach (var queue in fixture.Administration().GetQueuesAsync()) names.Add(queue.Name);
        Assert.Contains(name, names);
    }

    [Fact]
    public async Task A_wrong_key_is_refused()
    {
        var wrong = fixture.Peer.ConnectionString.Replace(fixture.Peer.Key, Convert.ToBase64String(new byte[32]), StringComparison.Ordinal);
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => new ServiceBusAdministrationClient(wrong).QueueExistsAsync("anything"));
    }
}
