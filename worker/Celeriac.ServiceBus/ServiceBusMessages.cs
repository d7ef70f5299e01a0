using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Core.Amqp;
using Azure.Messaging.ServiceBus;
using Celeriac.Brokers;
using Celeriac.Brokers.Remote;

namespace Celeriac.ServiceBus;

/// <summary>How Celeriac's messages map onto Service Bus messages, and how received messages are read back.</summary>
internal static class ServiceBusMessages
{
    /// <summary>Service Bus's longest MessageId.</summary>
    public const int MaxMessageIdLength = 128;

    /// <summary>
    /// Body = the bytes as one data section. MessageId = the publisher's (task id, or id:attempt for a retry, so duplicate
    /// detection drops a task sent twice but not its retry), else a new one. A due time in the future becomes
    /// ScheduledEnqueueTime; expires becomes TimeToLive, counted from when the message is enqueued (its due time).
    /// The envelope's headers become application properties (not those named <c>celeriac-*</c>, which are the broker's).
    /// </summary>
    public static ServiceBusMessage ToServiceBus(OutgoingMessage message, DateTimeOffset now)
    {
        var result = new ServiceBusMessage(message.Body)
        {
            MessageId = Truncate(string.IsNullOrEmpty(message.MessageId) ? Guid.NewGuid().ToString("N") : message.MessageId, MaxMessageIdLength),
        };
        var enqueued = now;
        if (message.NotBefore is { } due && due > now)
        {
            result.ScheduledEnqueueTime = due;
            enqueued = due;
        }
        if (message.Expires is { } expires)
        {
            var ttl = expires - enqueued;
            result.TimeToLive = ttl > TimeSpan.FromSeconds(1) ? ttl : TimeSpan.FromSeconds(1);
        }
        if (message.Headers is not null)
        {
            foreach (var (name, value) in message.Headers)
                if (!name.StartsWith("celeriac-", StringComparison.OrdinalIgnoreCase)) result.ApplicationProperties[name] = value;
        }
        return result;
    }

    /// <summary>
    /// A delayed release: the same message (body, properties, message id suffixed so that duplicate detection keeps it)
    /// scheduled for <paramref name="due"/>, carrying the deliveries so far.
    /// </summary>
    public static ServiceBusMessage ReleaseCopy(ServiceBusReceivedMessage message, int deliveryCount, DateTimeOffset due)
    {
        var count = deliveryCount.ToString(CultureInfo.InvariantCulture);
        var copy = new ServiceBusMessage(message)
        {
            MessageId = Truncate($"{(string.IsNullOrEmpty(message.MessageId) ? Guid.NewGuid().ToString("N") : message.MessageId)}:r{count}", MaxMessageIdLength),
            ScheduledEnqueueTime = due,
        };
        copy.ApplicationProperties[RemoteAttributes.Deliveries] = count;
        return copy;
    }

    /// <summary>
    /// The body of a received message: its data sections; an AMQP value that is a string (UTF-8) or binary, as other
    /// AMQP clients send text. Any other body (a sequence, a number, a map) cannot carry an envelope: false, with why.
    /// </summary>
    public static bool TryGetBody(ServiceBusReceivedMessage message, out ReadOnlyMemory<byte> body, out string problem)
    {
        var amqp = message.GetRawAmqpMessage().Body;
        problem = "";
        if (amqp.TryGetData(out var sections) && sections is not null)
        {
            body = Concat(sections);
            return true;
        }
        if (amqp.TryGetValue(out var value) && Bytes(value) is { } bytes)
        {
            body = bytes;
            return true;
        }
        body = ReadOnlyMemory<byte>.Empty;
        problem = amqp.BodyType == AmqpMessageBodyType.Value
            ? $"the message body is an AMQP value of type {TypeName(value)}; Celeriac reads data sections, or a string value"
            : $"the message body is an AMQP {amqp.BodyType.ToString().ToLowerInvariant()}; Celeriac reads data sections, or a string value";
        return false;
    }

    /// <summary>The body as it can be shown and replayed: what <see cref="TryGetBody"/> reads, else the body rendered as JSON.</summary>
    public static ReadOnlyMemory<byte> Display(ServiceBusReceivedMessage message)
    {
        if (TryGetBody(message, out var body, out _)) return body;
        var amqp = message.GetRawAmqpMessage().Body;
        object? shown = amqp.TryGetValue(out var value) ? value : amqp.TryGetSequence(out var sequence) ? sequence : null;
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(shown);
        }
        catch (NotSupportedException)
        {
            return Encoding.UTF8.GetBytes(shown?.ToString() ?? "");
        }
    }

    /// <summary>An application property as text (numbers in the invariant culture), or null when absent.</summary>
    public static Func<string, string?> Properties(ServiceBusReceivedMessage message) => name =>
        message.ApplicationProperties.TryGetValue(name, out var value) ? value switch
        {
            null => null,
            string text => text,
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        } : null;

    /// <summary>Roughly what a message weighs on the wire (body and properties), for the message of a too-large error.</summary>
    public static int Size(ServiceBusMessage message)
    {
        var size = message.Body.ToMemory().Length;
        foreach (var (name, value) in message.ApplicationProperties)
            size += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value?.ToString() ?? "");
        return size;
    }

    public static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    private static ReadOnlyMemory<byte> Concat(IEnumerable<ReadOnlyMemory<byte>> sections)
    {
        var list = sections as IList<ReadOnlyMemory<byte>> ?? [.. sections];
        if (list.Count == 1) return list[0];
        var result = new byte[list.Sum(s => s.Length)];
        var at = 0;
        foreach (var section in list)
        {
            section.Span.CopyTo(result.AsSpan(at));
            at += section.Length;
        }
        return result;
    }

    private static byte[]? Bytes(object? value) => value switch
    {
        string text => Encoding.UTF8.GetBytes(text),
        byte[] bytes => bytes,
        ReadOnlyMemory<byte> memory => memory.ToArray(),
        ArraySegment<byte> segment => segment.ToArray(),
        _ => null,
    };

    private static string TypeName(object? value) => value is null ? "null" : value.GetType().Name;
}
