using System.Collections.Concurrent;
using Celeriac.ServiceBus.Peer.Entities;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace Celeriac.ServiceBus.Peer.Amqp;

/// <summary>
/// The server end of a receiver's link to a queue (or its dead-letter subqueue). Messages go out while the receiver
/// has link credit. In peek-lock mode (settle on dispose) the delivery tag is the lock token and the receiver's
/// disposition settles the message as the Service Bus AMQP protocol guide maps outcomes: accepted = complete;
/// rejected = dead-letter, with DeadLetterReason / DeadLetterErrorDescription (and properties to modify) from the
/// error's info; modified = abandon, or defer when undeliverable-here is set, its message-annotations being properties
/// to modify; released = abandon without counting the delivery (AMQP 1.0, 3.4.4). The peer settles each disposition,
/// echoing the outcome, or rejects it with <c>com.microsoft:message-lock-lost</c> when the lock expired or was settled.
/// In receive-and-delete mode deliveries go out settled. A disposition is applied with the outcome it carried when it
/// arrived, once per delivery: Microsoft.Azure.Amqp 2.7.3, when the receiver settles a delivery while the send is still in
/// progress (a release at once, on loopback), calls the listener again and sets the delivery's state to Accepted, and
/// reading the state later completed, and so lost, a message the receiver had given back.
/// </summary>
internal sealed class OutboundLink : IQueueConsumer
{
    private static readonly AmqpSymbol LockLost = "com.microsoft:message-lock-lost";
    private readonly SendingAmqpLink _link;
    private readonly PeerQueue _queue;
    private readonly PeerNamespace _ns;
    // Deliveries whose disposition is being applied (the listener runs in order, the settlements on the thread pool).
    private readonly ConcurrentDictionary<Guid, byte> _settling = new();

    public OutboundLink(SendingAmqpLink link, PeerQueue queue, PeerNamespace ns)
    {
        _link = link;
        _queue = queue;
        _ns = ns;
        PeekLock = link.Settings.SettleType != SettleMode.SettleOnSend;
        // Off the library's I/O thread: the queue's lock is never taken by a thread that may hold the library's locks.
        link.RegisterCreditListener((_, _, _) =>
        {
            _ns.Operations.Count(PeerOperations.Credit);
            ThreadPool.UnsafeQueueUserWorkItem(_ => _queue.Pump(_ns.Now), null);
        });
        link.RegisterDispositionListener(delivery =>
        {
            var (token, outcome) = (new Guid(delivery.DeliveryTag.AsSpan()), delivery.State);
            if (_settling.TryAdd(token, 0)) ThreadPool.UnsafeQueueUserWorkItem(_ => Settle(delivery, token, outcome), null);
        });
        link.Closed += (_, _) => _queue.Detach(this);
        _queue.Attach(this);
    }

    public bool PeekLock { get; }

    public uint Credit => _link.State == AmqpObjectState.Opened ? _link.LinkCredit : 0;

    public bool Deliver(StoredMessage message, Guid lockToken)
    {
        if (_link.State != AmqpObjectState.Opened) return false;
        var outgoing = MessageCodec.Outgoing(message, PeekLock ? message.LockedUntil : null, peeked: false);
        try
        {
            _link.SendMessageNoWait(outgoing, new ArraySegment<byte>(lockToken.ToByteArray()), AmqpConstants.NullBinary);
        }
        catch (Exception ex) when (ex is AmqpException or InvalidOperationException or ObjectDisposedException)
        {
            outgoing.Dispose();
            return false;
        }
        _ns.Operations.Count(PeerOperations.Delivery);
        return true;
    }

    private void Settle(Delivery delivery, Guid token, DeliveryState? outcome)
    {
        var now = _ns.Now;
        var (operation, reply) = outcome switch
        {
            Accepted => (PeerOperations.Complete, (DeliveryState)AmqpConstants.AcceptedOutcome),
            Rejected => (PeerOperations.DeadLetter, new Rejected()),
            Modified { UndeliverableHere: true } modified => (PeerOperations.Defer, modified),
            Modified modified => (PeerOperations.Abandon, modified),
            Released => (PeerOperations.Release, AmqpConstants.ReleasedOutcome),
            _ => ("", (DeliveryState)Failed(AmqpErrorCode.NotImplemented, $"The peer does not settle with {outcome?.GetType().Name ?? "no outcome"}.")),
        };
        if (operation.Length > 0)
        {
            _ns.Operations.Count(operation);
            if (_ns.Faults.Failure(operation) is { } condition) reply = Failed(condition, "Injected by the peer.");
            else if (!Apply(outcome!, token, now)) reply = Failed(LockLost, "The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.");
        }
        _link.DisposeDelivery(delivery, true, reply);
        _settling.TryRemove(token, out _);
    }

    private bool Apply(DeliveryState outcome, Guid token, DateTimeOffset now) => outcome switch
    {
        Accepted => _queue.Complete(token, now),
        Rejected rejected => DeadLetter(rejected, token, now),
        Modified { UndeliverableHere: true } modified => _queue.Defer(token, Properties(modified.MessageAnnotations), now),
        Modified modified => _queue.Abandon(token, Properties(modified.MessageAnnotations), now),
        Released => _queue.Abandon(token, null, now, countDelivery: false),
        _ => false,
    };

    private bool DeadLetter(Rejected rejected, Guid token, DateTimeOffset now)
    {
        string? reason = null, description = null;
        Dictionary<string, object?>? modify = null;
        if (rejected.Error?.Info is { } info)
        {
            foreach (var pair in info)
            {
                var key = pair.Key.Key.ToString()!;
                switch (key)
                {
                    case "DeadLetterReason": reason = pair.Value as string; break;
                    case "DeadLetterErrorDescription": description = pair.Value as string; break;
                    default: (modify ??= new(StringComparer.Ordinal))[key] = pair.Value; break;
                }
            }
        }
        return _queue.DeadLetter(token, reason, description, modify, now);
    }

    private static Dictionary<string, object?>? Properties(Fields? annotations)
    {
        if (annotations is null) return null;
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var pair in annotations) result[pair.Key.Key.ToString()!] = pair.Value;
        return result;
    }

    private static Rejected Failed(AmqpSymbol condition, string description) =>
        new() { Error = new Error { Condition = condition, Description = description } };
}
