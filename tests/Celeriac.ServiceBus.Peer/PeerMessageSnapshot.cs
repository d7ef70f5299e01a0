namespace Celeriac.ServiceBus.Peer;

/// <summary>A message as the peer holds it at one moment, for tests to inspect.</summary>
public sealed record PeerMessageSnapshot
{
    public required long SequenceNumber { get; init; }
    public required string? MessageId { get; init; }
    /// <summary>The concatenated Data sections (what ServiceBusMessage.Body sends); null for an AmqpValue or AmqpSequence body.</summary>
    public required byte[]? Body { get; init; }
    public required IReadOnlyDictionary<string, object?> ApplicationProperties { get; init; }
    public required PeerMessageState State { get; init; }
    /// <summary>How many times the message was handed to a receiver (Service Bus's DeliveryCount).</summary>
    public required int DeliveryCount { get; init; }
    public required DateTimeOffset EnqueuedTime { get; init; }
    public required DateTimeOffset? ScheduledEnqueueTime { get; init; }
    public required DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>Set while a receiver holds the message's lock.</summary>
    public required DateTimeOffset? LockedUntil { get; init; }

    public string? DeadLetterReason => ApplicationProperties.TryGetValue("DeadLetterReason", out var v) ? v as string : null;
    public string? DeadLetterErrorDescription => ApplicationProperties.TryGetValue("DeadLetterErrorDescription", out var v) ? v as string : null;
}
