using System.Text.Json.Nodes;

namespace Celeriac.Operator.Tests.Schema;

/// <summary>Applies a structural schema's defaults as the API server does when it reads an object: absent fields with a default get it.</summary>
public static class SchemaDefaults
{
    public static void Apply(JsonNode? value, JsonObject schema)
    {
        switch (value)
        {
            case JsonObject obj:
                foreach (var (name, child) in schema["properties"] as JsonObject ?? [])
                {
                    var propertySchema = child!.AsObject();
                    if (!obj.ContainsKey(name) && propertySchema["default"] is { } defaultValue) obj[name] = defaultValue.DeepClone();
                    if (obj[name] is { } present) Apply(present, propertySchema);
                }
                if (schema["additionalProperties"] is JsonObject additional)
                    foreach (var (_, child) in obj) Apply(child, additional);
                break;
            case JsonArray array when schema["items"] is JsonObject items:
                foreach (var item in array) Apply(item, items);
                break;
        }
    }
}
