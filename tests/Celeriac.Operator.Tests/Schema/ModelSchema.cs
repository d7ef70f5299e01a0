using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Tests.Schema;

/// <summary>Pairs every property of the TaskQueue model with its node in the CRD schema, at every level (a list by its items).</summary>
public static class ModelSchema
{
    /// <param name="Path">The field as kubectl names it (<c>spec.pools[].concurrency</c>).</param>
    /// <param name="SchemaPath">Where the property's schema stands in the CRD document (a JSON path).</param>
    public sealed record Pair(string Path, Type Owner, PropertyInfo Property, JsonObject Schema, string SchemaPath);

    /// <summary>The CRD document's path of <c>openAPIV3Schema</c>.</summary>
    public const string Root = "$.spec.versions[0].schema.openAPIV3Schema";

    /// <param name="mismatches">Fields in one and not the other, or of different types.</param>
    public static List<Pair> Pairs(JsonObject openApiSchema, List<string> mismatches)
    {
        var pairs = new List<Pair>();
        Walk(typeof(TaskQueueSpec), openApiSchema["properties"]!["spec"]!.AsObject(), "spec", Root + ".properties.spec", pairs, mismatches);
        Walk(typeof(TaskQueueStatus), openApiSchema["properties"]!["status"]!.AsObject(), "status", Root + ".properties.status", pairs, mismatches);
        return pairs;
    }

    private static void Walk(Type type, JsonObject schema, string path, string schemaPath, List<Pair> pairs, List<string> mismatches)
    {
        var schemaProperties = schema["properties"] as JsonObject ?? [];
        var modelProperties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), p => p);
        foreach (var (name, _) in schemaProperties)
            if (!modelProperties.ContainsKey(name)) mismatches.Add($"{path}.{name}: in the schema, not in {type.Name}");
        foreach (var (name, property) in modelProperties)
        {
            if (schemaProperties[name] is not JsonObject child)
            {
                mismatches.Add($"{path}.{name}: in {type.Name}, not in the schema");
                continue;
            }
            var childPath = $"{schemaPath}.properties.{name}";
            pairs.Add(new Pair($"{path}.{name}", type, property, child, childPath));
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var fieldPath = $"{path}.{name}";
            if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(List<>))
            {
                if (child["type"]?.GetValue<string>() != "array") mismatches.Add($"{fieldPath}: a list in the model, not an array in the schema");
                propertyType = propertyType.GetGenericArguments()[0];
                child = child["items"]!.AsObject();
                childPath += ".items";
                fieldPath += "[]";
            }
            var expected = propertyType == typeof(string) ? "string"
                : propertyType == typeof(int) || propertyType == typeof(long) ? "integer"
                : propertyType == typeof(bool) ? "boolean"
                : "object";
            if (child["type"]?.GetValue<string>() is { } actual && actual != expected)
                mismatches.Add($"{fieldPath}: {expected} in the model, {actual} in the schema");
            if (expected == "object" && propertyType.Namespace == typeof(TaskQueue).Namespace && !typeof(IEnumerable).IsAssignableFrom(propertyType))
                Walk(propertyType, child, fieldPath, childPath, pairs, mismatches);
        }
    }
}
