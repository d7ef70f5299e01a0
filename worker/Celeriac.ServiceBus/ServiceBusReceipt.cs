using Celeriac.ServiceBus.Client;

namespace Celeriac.ServiceBus;

/// <summary>A delivery this broker holds: its lock, how long the worker wants it kept (lease) and until when the lock runs.</summary>
internal sealed class ServiceBusReceipt(string queue, ServiceBusLock messageLock, string messageId, IReadOnlyDictionary<string, string> properties, long lockedUntil, long leaseUntil)
{
    public string Queue { get; } = queue;
    public ServiceBusLock Lock { get; } = messageLock;
    public string MessageId { get; } = messageId;
    public IReadOnlyDictionary<string, string> Properties { get; } = properties;
    /// <summary>Local timestamp (TimeProvider ticks) at which the lock runs out, counted from the request that took or renewed it.</summary>
    public long LockedUntil { get; set; } = lockedUntil;
    public long LeaseUntil { get; set; } = leaseUntil;
    public int Renewing;
}
