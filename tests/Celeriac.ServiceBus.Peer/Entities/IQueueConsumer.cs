namespace Celeriac.ServiceBus.Peer.Entities;

/// <summary>A receiver attached to a queue: the server end of an AMQP receive link.</summary>
internal interface IQueueConsumer
{
    /// <summary>Peek-lock (settle on dispose) or receive-and-delete (settled on send).</summary>
    bool PeekLock { get; }

    /// <summary>Link credit the receiver has granted and not yet used.</summary>
    uint Credit { get; }

    /// <summary>
    /// Sends the message; called under the queue's lock, right after the lock was taken (or the message removed).
    /// False when the link went away first: the queue then takes the delivery back as if it never happened.
    /// </summary>
    bool Deliver(StoredMessage message, Guid lockToken);
}
