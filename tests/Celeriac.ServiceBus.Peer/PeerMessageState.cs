namespace Celeriac.ServiceBus.Peer;

/// <summary>Service Bus's message states, with the values the <c>x-opt-message-state</c> annotation carries.</summary>
public enum PeerMessageState
{
    Active = 0,
    Deferred = 1,
    Scheduled = 2,
}
