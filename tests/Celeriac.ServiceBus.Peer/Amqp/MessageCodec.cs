using Celeriac.ServiceBus.Peer.Entities;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace Celeriac.ServiceBus.Peer.Amqp;

/// <summary>
/// The message mapping of the Service Bus AMQP protocol guide: what the broker reads from a sent message (message-id,
/// header ttl, the <c>x-opt-scheduled-enqueue-time</c> annotation), batches (message format 0x80013700, one encoded
/// message per Data section), and what it stamps on a delivered or peeked one: header delivery-count (prior delivery
/// attempts on a delivery; the DeliveryCount itself on a peek), <c>x-opt-sequence-number</c>, <c>x-opt-enqueued-time</c>,
/// <c>x-opt-locked-until</c>, <c>x-opt-message-state</c>, creation-time and absolute-expiry-time, and the broker's application properties (DeadLetterReason,
/// DeadLetterErrorDescription, properties-to-modify).
/// </summary>
internal static class MessageCodec
{
    public const uint BatchFormat = 0x80013700;
    private const string ScheduledEnqueueTime = "x-opt-scheduled-enqueue-time";
    private const string SequenceNumber = "x-opt-sequence-number";
    private const string EnqueuedTime = "x-opt-enqueued-time";
    private const string LockedUntil = "x-opt-locked-until";
    private const string MessageState = "x-opt-message-state";

    /// <summary>The encoded messages a transfer carries: the batch's Data sections, or the message itself.</summary>
    public static IReadOnlyList<byte[]> Unbatch(AmqpMessage transfer)
    {
        if (transfer.MessageFormat == BatchFormat)
            return [.. transfer.DataBody.Select(d => d.Value is ArraySegment<byte> segment ? segment.ToArray() : throw new AmqpException(AmqpErrorCode.DecodeError, "a batch Data section holds no binary"))];
        var stream = transfer.ToStream();
        stream.Position = 0;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return [copy.ToArray()];
    }

    public static AmqpMessage Parse(byte[] encoded) =>
        AmqpMessage.CreateAmqpStreamMessage(new BufferListStream([new ArraySegment<byte>(encoded)]));

    public static PeerQueue.Incoming Decode(byte[] encoded)
    {
        using var message = Parse(encoded);
        var id = (message.Sections & SectionFlag.Properties) != 0 ? message.Properties?.MessageId?.ToString() : null;
        TimeSpan? ttl = message.Header.Ttl is { } ms && ms > 0 ? TimeSpan.FromMilliseconds(ms) : null;
        DateTimeOffset? scheduled = message.MessageAnnotations.Map[ScheduledEnqueueTime] is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
        return new PeerQueue.Incoming(encoded, id, ttl, scheduled);
    }

    /// <summary>The message as the broker sends it: on a receive link, in a peek answer, or in a receive-by-sequence-number answer.</summary>
    public static AmqpMessage Outgoing(StoredMessage stored, DateTimeOffset? lockedUntil, bool peeked)
    {
        var message = WithEveryDataSection(Parse(stored.Encoded));
        var count = peeked ? stored.DeliveryCount : Math.Max(0, stored.DeliveryCount - 1);
        message.Header.DeliveryCount = (uint)count;
        var annotations = message.MessageAnnotations.Map;
        annotations[SequenceNumber] = stored.SequenceNumber;
        annotations[EnqueuedTime] = stored.EnqueuedTime.UtcDateTime;
        annotations[MessageState] = (int)stored.State;
        if (lockedUntil is { } until) annotations[LockedUntil] = until.UtcDateTime;
        // absolute-expiry-time is the broker's ExpiresAtUtc (enqueued time + TimeToLive), not the sender's estimate; the SDK
        // reads TimeToLive back as absolute-expiry-time - creation-time, so creation-time moves to the enqueued time with it.
        if (stored.ExpiresAt is { } expires && (message.Sections & SectionFlag.Properties) != 0 && message.Properties is { } properties)
        {
            properties.CreationTime = stored.EnqueuedTime.UtcDateTime;
            properties.AbsoluteExpiryTime = expires.UtcDateTime;
        }
        if (stored.PropertyChanges.Count > 0)
        {
            message.ApplicationProperties ??= new ApplicationProperties();
            foreach (var (key, value) in stored.PropertyChanges) message.ApplicationProperties.Map[key] = value;
        }
        return message;
    }

    /// <summary>
    /// A message read from its encoding writes back only its last data section once a section before the body is changed
    /// (Microsoft.Azure.Amqp 2.7.3); a body of several data sections (AMQP 1.0, 3.2: one or more) is rebuilt section by
    /// section, with the sections around it copied, so that it is delivered as it was sent.
    /// </summary>
    private static AmqpMessage WithEveryDataSection(AmqpMessage parsed)
    {
        if ((parsed.BodyType & SectionFlag.Data) == 0 || parsed.DataBody.Take(2).Count() < 2) return parsed;
        using (parsed)
        {
            var rebuilt = AmqpMessage.Create(parsed.DataBody.Select(d => new Data { Value = d.Value is ArraySegment<byte> bytes ? new ArraySegment<byte>(bytes.ToArray()) : d.Value }).ToList());
            var (from, to) = (parsed.Header, rebuilt.Header);
            (to.Durable, to.Priority, to.Ttl, to.FirstAcquirer, to.DeliveryCount) = (from.Durable, from.Priority, from.Ttl, from.FirstAcquirer, from.DeliveryCount);
            if ((parsed.Sections & SectionFlag.DeliveryAnnotations) != 0)
                foreach (var pair in parsed.DeliveryAnnotations.Map) rebuilt.DeliveryAnnotations.Map[pair.Key] = pair.Value;
            if ((parsed.Sections & SectionFlag.MessageAnnotations) != 0)
                foreach (var pair in parsed.MessageAnnotations.Map) rebuilt.MessageAnnotations.Map[pair.Key] = pair.Value;
            if ((parsed.Sections & SectionFlag.Properties) != 0)
            {
                var (p, r) = (parsed.Properties, rebuilt.Properties);
                (r.MessageId, r.UserId, r.To, r.Subject, r.ReplyTo, r.CorrelationId, r.ContentType) = (p.MessageId, p.UserId, p.To, p.Subject, p.ReplyTo, p.CorrelationId, p.ContentType);
                (r.ContentEncoding, r.AbsoluteExpiryTime, r.CreationTime, r.GroupId, r.GroupSequence, r.ReplyToGroupId) = (p.ContentEncoding, p.AbsoluteExpiryTime, p.CreationTime, p.GroupId, p.GroupSequence, p.ReplyToGroupId);
            }
            if ((parsed.Sections & SectionFlag.ApplicationProperties) != 0)
            {
                rebuilt.ApplicationProperties = new ApplicationProperties();
                foreach (var pair in parsed.ApplicationProperties.Map) rebuilt.ApplicationProperties.Map[pair.Key] = pair.Value;
            }
            if ((parsed.Sections & SectionFlag.Footer) != 0)
                foreach (var pair in parsed.Footer.Map) rebuilt.Footer.Map[pair.Key] = pair.Value;
            return rebuilt;
        }
    }

    /// <summary>The bytes of a message, for the <c>message</c> entries of management answers.</summary>
    public static ArraySegment<byte> Encode(AmqpMessage message)
    {
        using var buffer = new MemoryStream();
        foreach (var segment in message.GetPayload()) buffer.Write(segment);
        return new ArraySegment<byte>(buffer.ToArray());
    }

    public static PeerMessageSnapshot Snapshot(StoredMessage stored, DateTimeOffset now)
    {
        using var message = Parse(stored.Encoded);
        byte[]? body = null;
        if ((message.BodyType & SectionFlag.Data) != 0)
        {
            using var bytes = new MemoryStream();
            foreach (var data in message.DataBody)
                if (data.Value is ArraySegment<byte> segment) bytes.Write(segment);
            body = bytes.ToArray();
        }
        var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
        if ((message.Sections & SectionFlag.ApplicationProperties) != 0 && message.ApplicationProperties is { } application)
            foreach (var pair in application.Map) properties[pair.Key.Key.ToString()!] = pair.Value;
        foreach (var (key, value) in stored.PropertyChanges) properties[key] = value;
        return new PeerMessageSnapshot
        {
            SequenceNumber = stored.SequenceNumber,
            MessageId = stored.MessageId,
            Body = body,
            ApplicationProperties = properties,
            State = stored.State,
            DeliveryCount = stored.DeliveryCount,
            EnqueuedTime = stored.EnqueuedTime,
            ScheduledEnqueueTime = stored.ScheduledEnqueueTime,
            ExpiresAt = stored.ExpiresAt,
            LockedUntil = stored.IsLocked(now) ? stored.LockedUntil : null,
        };
    }

    /// <summary>A map of a management request body, or an empty one.</summary>
    public static AmqpMap RequestMap(AmqpMessage request) =>
        (request.BodyType & SectionFlag.AmqpValue) != 0 && request.ValueBody?.Value is AmqpMap map ? map : new AmqpMap();
}
