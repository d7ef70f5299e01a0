using Azure.Messaging.ServiceBus;

namespace Celeriac.ServiceBus;

/// <summary>
/// A delivery this process holds: the message and the receiver it came from (which settles it and renews its lock), how
/// long the worker wants it kept (lease) and until when its lock runs, both as local timestamps (TimeProvider ticks).
/// </summary>
internal sealed class ServiceBusReceipt(string queue, ServiceBusReceiver receiver, ServiceBusReceivedMessage message, long lockedUntil, long leaseUntil)
{
    public string Queue { get; } = queue;
    public ServiceBusReceiver Receiver { get; } = receiver;
    public ServiceBusReceivedMessage Message { get; } = message;
    public string LockToken => Message.LockToken;
    public long LockedUntil = lockedUntil;
    public long LeaseUntil = leaseUntil;
    public int Renewing;
}
