using System.Text.Json.Nodes;

namespace Celeriac.Chart.Tests;

/// <summary>The chart's values.yaml and values.schema.json, parsed.</summary>
public static class ChartValues
{
    public static JsonObject Values() => Yaml.Parse(Repo.ChartFile("values.yaml")).AsObject();

    public static JsonObject Schema() => JsonNode.Parse(Repo.ChartFile("values.schema.json"))!.AsObject();

    /// <summary>The schema node that describes <paramref name="path"/> (following local $refs), or null when the schema has no such property.</summary>
    public static JsonObject? SchemaAt(JsonObject schema, IEnumerable<string> path)
    {
        var node = Resolve(schema, schema);
        foreach (var key in path)
        {
            if (node["properties"] is not JsonObject properties || properties[key] is not JsonObject child) return null;
            node = Resolve(schema, child);
        }
        return node;
    }

    /// <summary>Every key path of <paramref name="obj"/> (objects only; arrays are leaves).</summary>
    public static IEnumerable<string[]> KeyPaths(JsonObject obj, string[]? prefix = null)
    {
        prefix ??= [];
        foreach (var (key, value) in obj)
        {
            string[] path = [.. prefix, key];
            yield return path;
            if (value is JsonObject child)
                foreach (var nested in KeyPaths(child, path)) yield return nested;
        }
    }

    private static JsonObject Resolve(JsonObject root, JsonObject node)
    {
        while (node["$ref"] is JsonValue reference)
        {
            var pointer = reference.GetValue<string>();
            if (!pointer.StartsWith("#/", StringComparison.Ordinal)) throw new NotSupportedException($"only local $refs: {pointer}");
            JsonNode current = root;
            foreach (var part in pointer[2..].Split('/')) current = current[part] ?? throw new InvalidOperationException($"dangling $ref {pointer}");
            node = current.AsObject();
        }
        return node;
    }
}
