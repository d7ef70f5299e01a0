namespace Celeriac.ServiceBus.Fake;

/// <summary>One message in a fake queue, with the broker state Service Bus keeps for it.</summary>
internal sealed class FakeMessage
{
    public required long SequenceNumber { get; init; }
    public required string MessageId { get; init; }
    public required byte[] Body { get; init; }
    public required Dictionary<string, string> Properties { get; init; }
    public required DateTimeOffset EnqueuedTime { get; set; }
    /// <summary>Scheduled messages are not active (not receivable, counted as scheduled) until this time.</summary>
    public DateTimeOffset? ScheduledEnqueueTime { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public TimeSpan? TimeToLive { get; init; }
    public int DeliveryCount { get; set; }
    public string? LockToken { get; set; }
    public DateTimeOffset LockedUntil { get; set; }

    public bool IsLocked(DateTimeOffset now) => LockToken is not null && LockedUntil > now;

    public bool IsScheduled(DateTimeOffset now) => ScheduledEnqueueTime is { } at && at > now;
}
