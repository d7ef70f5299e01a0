using Celeriac.ServiceBus.Peer.Entities;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;

namespace Celeriac.ServiceBus.Peer.Amqp;

/// <summary>
/// An entity's <c>$management</c> node, answering the request/response operations of "AMQP 1.0 in Azure Service Bus:
/// request-response-based operations" that Azure.Messaging.ServiceBus sends for a queue:
/// <list type="bullet">
/// <item><c>com.microsoft:renew-lock</c>: <c>lock-tokens</c> → <c>expirations</c>.</item>
/// <item><c>com.microsoft:peek-message</c>: <c>from-sequence-number</c>, <c>message-count</c> → <c>messages</c>
/// (maps with the encoded <c>message</c>), 204 when there are none; no lock, no delivery counted.</item>
/// <item><c>com.microsoft:schedule-message</c>: <c>messages</c> (maps with <c>message-id</c> and the encoded
/// <c>message</c>) → <c>sequence-numbers</c>; <c>com.microsoft:cancel-scheduled-message</c>: <c>sequence-numbers</c>.</item>
/// <item><c>com.microsoft:update-disposition</c>: <c>disposition-status</c> (completed, abandoned, suspended, defered),
/// <c>lock-tokens</c>, <c>deadletter-reason</c>, <c>deadletter-description</c>, <c>properties-to-modify</c>.</item>
/// <item><c>com.microsoft:receive-by-sequence-number</c>: <c>sequence-numbers</c>, <c>receiver-settle-mode</c> →
/// <c>messages</c> (maps with <c>lock-token</c> and <c>message</c>), for deferred messages.</item>
/// <item><c>com.microsoft:batch-delete-messages</c> (what the SDK's purge and batch delete send): <c>message-count</c>,
/// <c>enqueued-time-utc</c> → <c>message-count</c> deleted.</item>
/// </list>
/// A lost lock answers 410 with <c>com.microsoft:message-lock-lost</c>; other operations 501.
/// </summary>
internal sealed class ManagementNode(PeerNamespace ns, PeerQueue queue) : RequestResponseNode(ns)
{
    public const string Suffix = "/$management";
    private static readonly AmqpSymbol LockLost = "com.microsoft:message-lock-lost";
    private static readonly AmqpSymbol MessageNotFound = "com.microsoft:message-not-found";

    protected override async Task<AmqpMessage> AnswerAsync(AmqpMessage request, ConnectionState connection)
    {
        var operation = request.ApplicationProperties.Map["operation"] as string ?? "";
        Namespace.Operations.Count(operation);
        var delay = Namespace.Faults.DelayOf(operation);
        if (delay > TimeSpan.Zero) await Task.Delay(delay, Namespace.Options.TimeProvider).ConfigureAwait(false);
        if (Namespace.Faults.Failure(operation) is { } condition)
            return Failure(condition == PeerFaults.Timeout ? AmqpResponseStatusCode.RequestTimeout : AmqpResponseStatusCode.ServiceUnavailable, condition, "Injected by the peer.");
        var body = MessageCodec.RequestMap(request);
        var now = Namespace.Now;
        return operation switch
        {
            "com.microsoft:renew-lock" => RenewLock(body, now),
            "com.microsoft:peek-message" => Peek(body, now),
            "com.microsoft:schedule-message" => Schedule(body, now),
            "com.microsoft:cancel-scheduled-message" => CancelScheduled(body, now),
            "com.microsoft:update-disposition" => UpdateDisposition(body, now),
            "com.microsoft:receive-by-sequence-number" => ReceiveBySequenceNumber(body, now),
            "com.microsoft:batch-delete-messages" => BatchDelete(body, now),
            _ => Failure(AmqpResponseStatusCode.NotImplemented, AmqpErrorCode.NotImplemented, $"The peer does not implement '{operation}'."),
        };
    }

    private AmqpMessage RenewLock(AmqpMap body, DateTimeOffset now)
    {
        var tokens = Required<Guid[]>(body, "lock-tokens");
        var expirations = new DateTime[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            if (queue.RenewLock(tokens[i], now) is not { } until) return LockLostAnswer();
            expirations[i] = until.UtcDateTime;
        }
        return Answer(AmqpResponseStatusCode.OK, new AmqpMap { [new MapKey("expirations")] = expirations });
    }

    private AmqpMessage Peek(AmqpMap body, DateTimeOffset now)
    {
        var from = Required<long>(body, "from-sequence-number");
        var count = Required<int>(body, "message-count");
        var messages = queue.Peek(from, count, now, m => Entry(m, null, peeked: true));
        if (messages.Count == 0) return Answer(AmqpResponseStatusCode.NoContent);
        return Answer(AmqpResponseStatusCode.OK, new AmqpMap { [new MapKey("messages")] = messages.ToList() });
    }

    private AmqpMessage Schedule(AmqpMap body, DateTimeOffset now)
    {
        if (queue.IsDeadLetterQueue) return Failure(AmqpResponseStatusCode.BadRequest, AmqpErrorCode.NotAllowed, "Messages cannot be scheduled on a dead-letter queue.");
        var entries = Required<List<object>>(body, "messages");
        var sequenceNumbers = new List<long>(entries.Count);
        foreach (var entry in entries.Cast<AmqpMap>())
        {
            var encoded = Required<ArraySegment<byte>>(entry, "message").ToArray();
            var incoming = MessageCodec.Decode(encoded);
            if (incoming.ScheduledEnqueueTime is null) return Failure(AmqpResponseStatusCode.BadRequest, AmqpErrorCode.InvalidField, "A scheduled message needs x-opt-scheduled-enqueue-time.");
            // A scheduled message dropped as a duplicate still gets a number, as the service gives one for any accepted request.
            sequenceNumbers.Add(queue.Enqueue(incoming, now) ?? 0);
        }
        Namespace.Operations.Count(PeerOperations.MessageSent, entries.Count);
        return Answer(AmqpResponseStatusCode.OK, new AmqpMap { [new MapKey("sequence-numbers")] = sequenceNumbers.ToArray() });
    }

    private AmqpMessage CancelScheduled(AmqpMap body, DateTimeOffset now)
    {
        queue.CancelScheduled(Required<long[]>(body, "sequence-numbers"), now);
        return Answer(AmqpResponseStatusCode.OK);
    }

    private AmqpMessage UpdateDisposition(AmqpMap body, DateTimeOffset now)
    {
        var status = Required<string>(body, "disposition-status");
        var tokens = Required<Guid[]>(body, "lock-tokens");
        var modify = body[new MapKey("properties-to-modify")] is AmqpMap map ? Properties(map) : null;
        foreach (var token in tokens)
        {
            var settled = status switch
            {
                "completed" => queue.Complete(token, now),
                "abandoned" => queue.Abandon(token, modify, now),
                "suspended" => queue.DeadLetter(token, body[new MapKey("deadletter-reason")] as string, body[new MapKey("deadletter-description")] as string, modify, now),
                "defered" => queue.Defer(token, modify, now),
                _ => throw new AmqpException(AmqpErrorCode.InvalidField, $"Unknown disposition-status '{status}'."),
            };
            if (!settled) return LockLostAnswer();
        }
        return Answer(AmqpResponseStatusCode.OK);
    }

    private AmqpMessage ReceiveBySequenceNumber(AmqpMap body, DateTimeOffset now)
    {
        var sequenceNumbers = Required<long[]>(body, "sequence-numbers");
        var peekLock = body[new MapKey("receiver-settle-mode")] is not uint mode || mode != 0;
        var messages = queue.ReceiveDeferred(sequenceNumbers, peekLock, now, (m, token) => Entry(m, peekLock ? token : null, peeked: false));
        if (messages.Count == 0) return Failure(AmqpResponseStatusCode.NotFound, MessageNotFound, "No deferred message has these sequence numbers.");
        return Answer(AmqpResponseStatusCode.OK, new AmqpMap { [new MapKey("messages")] = messages.ToList() });
    }

    private AmqpMessage BatchDelete(AmqpMap body, DateTimeOffset now)
    {
        var count = Required<int>(body, "message-count");
        var before = Required<DateTime>(body, "enqueued-time-utc");
        var deleted = queue.DeleteBatch(count, new DateTimeOffset(DateTime.SpecifyKind(before, DateTimeKind.Utc)), now);
        return Answer(AmqpResponseStatusCode.OK, new AmqpMap { [new MapKey("message-count")] = deleted });
    }

    private static AmqpMap Entry(StoredMessage stored, Guid? lockToken, bool peeked)
    {
        using var message = MessageCodec.Outgoing(stored, lockToken is null ? null : stored.LockedUntil, peeked);
        var entry = new AmqpMap { [new MapKey("message")] = MessageCodec.Encode(message) };
        if (lockToken is { } token) entry[new MapKey("lock-token")] = token;
        return entry;
    }

    private static Dictionary<string, object?> Properties(AmqpMap map)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var pair in map) result[pair.Key.Key.ToString()!] = pair.Value;
        return result;
    }

    private static AmqpMessage LockLostAnswer() =>
        Failure(AmqpResponseStatusCode.Gone, LockLost, "The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.");

    private static T Required<T>(AmqpMap map, string key) =>
        map[new MapKey(key)] is T value ? value : throw new AmqpException(AmqpErrorCode.InvalidField, $"'{key}' is missing or not a {typeof(T).Name}.");
}
