namespace Celeriac.ServiceBus.Peer.Entities;

/// <summary>One message in a queue or its dead-letter subqueue, with the broker state Service Bus keeps for it.</summary>
internal sealed class StoredMessage
{
    public required long SequenceNumber { get; init; }
    public required string? MessageId { get; init; }
    /// <summary>The message as its sender encoded it (every section); the broker's own state travels beside it.</summary>
    public required byte[] Encoded { get; init; }
    public required DateTimeOffset EnqueuedTime { get; set; }
    public required PeerMessageState State { get; set; }
    public DateTimeOffset? ScheduledEnqueueTime { get; init; }
    /// <summary>The message's own TimeToLive (header ttl), or null.</summary>
    public TimeSpan? TimeToLive { get; init; }
    public DateTimeOffset? ExpiresAt { get; set; }
    /// <summary>Times the message was handed to a receiver; a delivery counts when the lock is taken.</summary>
    public int DeliveryCount { get; set; }
    public Guid? LockToken { get; set; }
    public DateTimeOffset LockedUntil { get; set; }
    /// <summary>Application properties the broker set or a settlement modified (DeadLetterReason, properties-to-modify).</summary>
    public Dictionary<string, object?> PropertyChanges { get; init; } = new(StringComparer.Ordinal);

    public bool IsLocked(DateTimeOffset now) => LockToken is not null && LockedUntil > now;
}
