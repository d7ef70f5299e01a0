using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Celeriac.Celery.Protocol;

/// <summary>
/// The message kombu's virtual transports store and move (an item of a Redis list, the body of an SQS message): a JSON
/// object with the serialized body (base64 when <c>properties.body_encoding</c> is <c>base64</c>), its
/// <c>content-type</c> and <c>content-encoding</c>, the application <c>headers</c>, and the <c>properties</c>
/// (<c>delivery_tag</c>, <c>delivery_info</c> with the exchange and routing key, <c>priority</c>, ...). Fields Celeriac
/// does not use are kept as they are, so a message it passes on is the message it got.
/// </summary>
public sealed class KombuMessage
{
    public const string JsonContentType = "application/json";

    private KombuMessage(JsonObject root)
    {
        Root = root;
    }

    /// <summary>The whole message, for the fields this class does not name.</summary>
    public JsonObject Root { get; }

    public JsonObject Headers => Root["headers"] as JsonObject ?? (JsonObject)(Root["headers"] = new JsonObject());

    public JsonObject Properties => Root["properties"] as JsonObject ?? (JsonObject)(Root["properties"] = new JsonObject());

    public string? ContentType => CeleryJson.String(Root["content-type"]);

    public string? ContentEncoding => CeleryJson.String(Root["content-encoding"]);

    /// <summary>The tag the producer gave the message; kombu's Redis transport keys its unacked hash with it.</summary>
    public string? DeliveryTag => CeleryJson.String(Properties["delivery_tag"]);

    public string? Exchange => CeleryJson.String((Properties["delivery_info"] as JsonObject)?["exchange"]);

    public string? RoutingKey => CeleryJson.String((Properties["delivery_info"] as JsonObject)?["routing_key"]);

    /// <summary>kombu's message priority, 0 to 9 (Redis: lower runs first); 0 when absent or not a number.</summary>
    public int Priority => Math.Clamp(CeleryJson.Integer(Properties["priority"]) ?? 0, 0, 9);

    public bool Redelivered => CeleryJson.Boolean(Root["redelivered"]) || CeleryJson.Boolean(Headers["redelivered"])
        || CeleryJson.Boolean((Properties["delivery_info"] as JsonObject)?["redelivered"]);

    /// <summary>
    /// The property in which Celeriac counts the deliveries of a message before the current one, each time it puts the
    /// message back; kombu keeps properties as they are and records only that a message was redelivered.
    /// </summary>
    public const string DeliveriesProperty = "celeriac_deliveries";

    /// <summary>Deliveries before this one: Celeriac's count, else 1 for a message kombu marked redelivered, else 0.</summary>
    public int DeliveriesBefore => CeleryJson.Integer(Properties[DeliveriesProperty]) is { } counted and >= 0 ? counted : Redelivered ? 1 : 0;

    /// <summary>Reads a message; throws <see cref="InvalidCeleryMessageException"/> when it is not a kombu message.</summary>
    public static KombuMessage Parse(ReadOnlySpan<byte> json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new InvalidCeleryMessageException($"not a kombu message: the payload is not JSON ({ex.Message})", ex);
        }
        if (node is not JsonObject root) throw new InvalidCeleryMessageException("not a kombu message: the payload is not a JSON object");
        if (root["body"] is null) throw new InvalidCeleryMessageException("not a kombu message: it has no body");
        if (root["headers"] is not null and not JsonObject) throw new InvalidCeleryMessageException("not a kombu message: its headers are not an object");
        if (root["properties"] is not null and not JsonObject) throw new InvalidCeleryMessageException("not a kombu message: its properties are not an object");
        return new KombuMessage(root);
    }

    /// <summary>Whether a body looks like a kombu message (an object with a body and properties) rather than something else.</summary>
    public static bool LooksLikeOne(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            var body = false;
            var properties = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("body"u8)) body = true;
                else if (reader.ValueTextEquals("properties"u8)) properties = true;
                reader.Read();
                reader.Skip();
            }
            return body && properties;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// A new message as kombu's <c>prepare_message</c> and <c>basic_publish</c> make it: JSON body, base64 body encoding,
    /// delivery mode 2, the anonymous exchange with the queue as routing key (as Celery 5 sends to its queues), a new tag.
    /// </summary>
    public static KombuMessage Create(ReadOnlySpan<byte> jsonBody, JsonObject headers, string queue, string? correlationId, string? replyTo, int priority) =>
        new(new JsonObject
        {
            ["body"] = Convert.ToBase64String(jsonBody),
            ["content-encoding"] = "utf-8",
            ["content-type"] = JsonContentType,
            ["headers"] = headers,
            ["properties"] = new JsonObject
            {
                ["correlation_id"] = correlationId,
                ["reply_to"] = replyTo ?? "",
                ["delivery_mode"] = 2,
                ["delivery_info"] = new JsonObject { ["exchange"] = "", ["routing_key"] = queue },
                ["priority"] = priority,
                ["body_encoding"] = "base64",
                ["delivery_tag"] = Guid.NewGuid().ToString(),
            },
        });

    /// <summary>
    /// The body's bytes: base64-decoded when the body encoding says so, else the body string's UTF-8 (or, for a body that
    /// is JSON rather than a string, its text).
    /// </summary>
    public byte[] BodyBytes()
    {
        var body = Root["body"];
        if (body is JsonValue value && value.TryGetValue<string>(out var text))
        {
            var encoding = CeleryJson.String(Properties["body_encoding"]);
            if (string.Equals(encoding, "base64", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    return Convert.FromBase64String(text);
                }
                catch (FormatException ex)
                {
                    throw new InvalidCeleryMessageException("the message says its body is base64 but it is not", ex);
                }
            }
            if (encoding is not null) throw new InvalidCeleryMessageException($"body encoding '{Cut(encoding)}' is not supported (kombu writes base64)");
            return Encoding.UTF8.GetBytes(text);
        }
        return CeleryJson.ToBytes(body!);
    }

    /// <summary>Marks the message as delivered before, as kombu does when it puts an unacknowledged message back, and counts the delivery that ends.</summary>
    public void MarkRedelivered()
    {
        var before = DeliveriesBefore;
        Headers["redelivered"] = true;
        if (Properties["delivery_info"] is JsonObject info) info["redelivered"] = true;
        Properties[DeliveriesProperty] = before + 1;
    }

    /// <summary>A copy sent anew to <paramref name="queue"/>: a new tag, the anonymous exchange, no redelivery marks.</summary>
    public KombuMessage Resend(string queue)
    {
        var copy = new KombuMessage((JsonObject)Root.DeepClone());
        copy.Root.Remove("redelivered");
        copy.Headers.Remove("redelivered");
        copy.Properties.Remove(DeliveriesProperty);
        copy.Properties["delivery_tag"] = Guid.NewGuid().ToString();
        copy.Properties["delivery_info"] = new JsonObject { ["exchange"] = "", ["routing_key"] = queue };
        return copy;
    }

    public byte[] ToBytes() => CeleryJson.ToBytes(Root);

    internal static string Cut(string text) => text.Length <= 100 ? text : text[..100] + "…";
}
