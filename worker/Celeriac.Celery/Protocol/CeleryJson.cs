using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Celeriac.Celery.Protocol;

/// <summary>How Celery's JSON is read and written: one set of options, and the helpers that read optional fields loosely typed as Python writes them.</summary>
public static class CeleryJson
{
    /// <summary>Non-ASCII text as UTF-8 and no HTML escaping: JSON that Python's <c>json.loads</c> reads as written.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] ToBytes(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node, Options);

    public static string ToText(JsonNode? node) => node is null ? "null" : node.ToJsonString(Options);

    public static string? String(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static int? Integer(JsonNode? node)
    {
        if (node is not JsonValue value) return null;
        if (value.TryGetValue<int>(out var number)) return number;
        if (value.TryGetValue<long>(out var big) && big is >= int.MinValue and <= int.MaxValue) return (int)big;
        if (value.TryGetValue<double>(out var real) && real == Math.Floor(real) && real is >= int.MinValue and <= int.MaxValue) return (int)real;
        if (value.TryGetValue<JsonElement>(out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var parsed)) return parsed;
        return null;
    }

    public static double? Number(JsonNode? node)
    {
        if (node is not JsonValue value) return null;
        if (value.TryGetValue<double>(out var real)) return real;
        if (value.TryGetValue<long>(out var whole)) return whole;
        if (value.TryGetValue<int>(out var small)) return small;
        if (value.TryGetValue<decimal>(out var exact)) return (double)exact;
        if (value.TryGetValue<float>(out var single)) return single;
        if (value.TryGetValue<JsonElement>(out var element) && element.ValueKind == JsonValueKind.Number) return element.GetDouble();
        return null;
    }

    public static bool Boolean(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;

    /// <summary>A JSON list, or a single item made a list (Celery accepts both for callbacks), or null.</summary>
    public static JsonArray? List(JsonNode? node) => node switch
    {
        JsonArray array => array,
        JsonObject single => [single.DeepClone()],
        _ => null,
    };
}
