namespace Celeriac.ServiceBus.Client;

/// <summary>A message taken with Peek-Lock: its body, the BrokerProperties the service returned and its custom properties.</summary>
public sealed record ServiceBusReceivedMessage(byte[] Body, ServiceBusLock Lock)
{
    public string MessageId { get; init; } = "";
    public int DeliveryCount { get; init; } = 1;
    public DateTimeOffset? LockedUntilUtc { get; init; }
    public DateTimeOffset? EnqueuedTimeUtc { get; init; }
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>What identifies one lock on one message: the entity path, the message's sequence number and the lock token.</summary>
public sealed record ServiceBusLock(string EntityPath, long SequenceNumber, string LockToken);
