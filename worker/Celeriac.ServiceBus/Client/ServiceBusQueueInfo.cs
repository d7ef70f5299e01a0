namespace Celeriac.ServiceBus.Client;

/// <summary>A queue's description and runtime counts, from the Atom entry of <c>GET /{queue}</c> (CountDetails).</summary>
public sealed record ServiceBusQueueInfo(string Name)
{
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromMinutes(1);
    public int MaxDeliveryCount { get; init; } = 10;
    public long MessageCount { get; init; }
    public long ActiveMessageCount { get; init; }
    public long ScheduledMessageCount { get; init; }
    public long DeadLetterMessageCount { get; init; }
}

/// <summary>The settings of a queue the broker creates (development, emulators).</summary>
public sealed record ServiceBusQueueSettings
{
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromMinutes(1);
    public int MaxDeliveryCount { get; init; } = 10;
    public bool RequiresDuplicateDetection { get; init; }
    public TimeSpan DuplicateDetectionHistoryTimeWindow { get; init; } = TimeSpan.FromMinutes(10);
}
