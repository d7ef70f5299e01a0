using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Celeriac.ServiceBus.Client;

/// <summary>
/// The JSON of the BrokerProperties header and of a batch entry. Times are RFC 1123 (<c>Sun, 06 Nov 1994 08:49:37 GMT</c>),
/// so to the second; TimeToLive is in seconds.
/// </summary>
public static class BrokerPropertiesJson
{
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ParseTime(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    /// <summary>The body of Send Message Batch: <c>[{"Body": "...", "BrokerProperties": {...}, "UserProperties": {...}}]</c>.</summary>
    public static string Batch(IReadOnlyList<ServiceBusOutgoingMessage> messages)
    {
        var array = new JsonArray();
        foreach (var message in messages)
        {
            var entry = new JsonObject { ["Body"] = message.Body };
            var broker = new JsonObject();
            if (message.MessageId is not null) broker["MessageId"] = message.MessageId;
            // The service schedules to the second: round up so that a message never becomes active early.
            if (message.ScheduledEnqueueTimeUtc is { } at) broker["ScheduledEnqueueTimeUtc"] = Time(CeilingToSecond(at));
            if (message.TimeToLive is { } ttl) broker["TimeToLive"] = Math.Max(1, Math.Ceiling(ttl.TotalSeconds));
            if (broker.Count > 0) entry["BrokerProperties"] = broker;
            if (message.Properties is { Count: > 0 } properties)
            {
                var user = new JsonObject();
                foreach (var (k, v) in properties) user[k] = v;
                entry["UserProperties"] = user;
            }
            array.Add(entry);
        }
        return array.ToJsonString();
    }

    public static DateTimeOffset CeilingToSecond(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        var rounded = (ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond;
        return new DateTimeOffset(rounded, TimeSpan.Zero);
    }

    /// <summary>Reads the received message's BrokerProperties header.</summary>
    public static (string MessageId, string LockToken, long SequenceNumber, int DeliveryCount, DateTimeOffset? LockedUntil, DateTimeOffset? Enqueued) ParseReceived(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string Str(string name) => root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() ?? "" : "";
        long Num(string name) => root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt64() : 0;
        return (Str("MessageId"), Str("LockToken"), Num("SequenceNumber"), (int)Math.Max(1, Num("DeliveryCount")), ParseTime(Str("LockedUntilUtc")), ParseTime(Str("EnqueuedTimeUtc")));
    }

    /// <summary>A custom property's header value: strings come JSON-quoted, other types bare.</summary>
    public static string PropertyValue(string headerValue)
    {
        if (headerValue.Length >= 2 && headerValue[0] == '"')
        {
            try
            {
                return JsonSerializer.Deserialize<string>(headerValue) ?? "";
            }
            catch (JsonException)
            {
            }
        }
        return headerValue;
    }
}
