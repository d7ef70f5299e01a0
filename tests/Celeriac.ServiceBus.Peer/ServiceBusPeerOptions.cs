using System.Security.Cryptography;

namespace Celeriac.ServiceBus.Peer;

public sealed record ServiceBusPeerOptions
{
    public string KeyName { get; init; } = "RootManageSharedAccessKey";
    public string Key { get; init; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    /// <summary>The largest message (or batch) a sender may transfer; Standard tier's 256 KiB by default.</summary>
    public int MaxMessageSizeBytes { get; init; } = 256 * 1024;
    /// <summary>Settings of queues created without any (the fixture's <c>CreateQueue</c>).</summary>
    public PeerQueueSettings DefaultQueueSettings { get; init; } = new();
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
