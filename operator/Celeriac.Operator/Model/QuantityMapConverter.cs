using System.Text.Json;
using System.Text.Json.Serialization;

namespace Celeriac.Operator.Model;

/// <summary>Quantities are int-or-string in the schema (<c>cpu: 2</c> or <c>cpu: "2"</c>); the model keeps their text.</summary>
public sealed class QuantityMapConverter : JsonConverter<Dictionary<string, string>>
{
    public override Dictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a map of quantities is expected");
        var map = new Dictionary<string, string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            map[key] = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                _ => throw new JsonException($"quantity '{key}' must be a number or a string"),
            };
        }
        return map;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (key, quantity) in value) writer.WriteString(key, quantity);
        writer.WriteEndObject();
    }
}
