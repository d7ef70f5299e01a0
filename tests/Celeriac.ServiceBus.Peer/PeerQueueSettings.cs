namespace Celeriac.ServiceBus.Peer;

/// <summary>
/// The QueueDescription properties the peer honours, with Service Bus's defaults. Unlike the service, lock durations
/// under its 5 s minimum are accepted, so tests can watch locks expire.
/// </summary>
public sealed record PeerQueueSettings
{
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromMinutes(1);
    public int MaxDeliveryCount { get; init; } = 10;
    public bool RequiresDuplicateDetection { get; init; }
    public TimeSpan DuplicateDetectionHistoryTimeWindow { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>TimeSpan.MaxValue: messages live until a message's own TimeToLive says otherwise.</summary>
    public TimeSpan DefaultMessageTimeToLive { get; init; } = TimeSpan.MaxValue;
    public bool DeadLetteringOnMessageExpiration { get; init; }

    internal void Validate()
    {
        if (LockDuration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(LockDuration), LockDuration, "must be positive");
        if (MaxDeliveryCount < 1) throw new ArgumentOutOfRangeException(nameof(MaxDeliveryCount), MaxDeliveryCount, "must be at least 1");
        if (DuplicateDetectionHistoryTimeWindow <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(DuplicateDetectionHistoryTimeWindow), DuplicateDetectionHistoryTimeWindow, "must be positive");
        if (DefaultMessageTimeToLive <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(DefaultMessageTimeToLive), DefaultMessageTimeToLive, "must be positive");
    }
}
