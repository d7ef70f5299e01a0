using System.Text;
using System.Text.Json.Nodes;

namespace Celeriac.Chart.Tests;

/// <summary>
/// The field reference of docs/taskqueue-reference.md, generated from the CRD's OpenAPI schema (the same
/// descriptions <c>kubectl explain taskqueue.spec</c> shows), so the two cannot drift apart.
/// </summary>
public static class TaskQueueReference
{
    public const string Begin = "<!-- BEGIN GENERATED FROM crds/celeriac.io_taskqueues.yaml: make docs -->";
    public const string End = "<!-- END GENERATED -->";

    public sealed record Field(string Path, JsonObject Schema, bool Required);

    public static JsonObject Schema() =>
        Yaml.Parse(Repo.Read("crds", "celeriac.io_taskqueues.yaml"))["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();

    /// <summary>Every property below <paramref name="root"/> (e.g. spec), depth first in schema order.</summary>
    public static IEnumerable<Field> Fields(JsonObject schema, string root)
    {
        var top = schema["properties"]![root]!.AsObject();
        return Walk(top, root, required: root == "spec");
    }

    private static IEnumerable<Field> Walk(JsonObject node, string path, bool required)
    {
        yield return new Field(path, node, required);
        var element = node["items"] as JsonObject;
        var holder = element ?? node;
        var childPrefix = element is null ? path : path + "[]";
        var requiredNames = (holder["required"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToHashSet() ?? [];
        if (holder["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                foreach (var field in Walk(child!.AsObject(), $"{childPrefix}.{name}", requiredNames.Contains(name))) yield return field;
            }
        }
    }

    public static string Generate()
    {
        var schema = Schema();
        var text = new StringBuilder();
        text.Append(Begin).Append('\n');
        foreach (var root in new[] { "spec", "status" })
        {
            text.Append('\n').Append("### ").Append(root).Append("\n\n");
            text.Append("| field | type | default | constraints | description |\n| --- | --- | --- | --- | --- |\n");
            foreach (var field in Fields(schema, root))
            {
                text.Append("| `").Append(field.Path).Append('`').Append(field.Required ? " (required)" : "")
                    .Append(" | ").Append(TypeOf(field.Schema))
                    .Append(" | ").Append(field.Schema["default"] is { } d ? $"`{d.ToJsonString()}`" : "")
                    .Append(" | ").Append(Cell(Constraints(field.Schema)))
                    .Append(" | ").Append(Cell(field.Schema["description"]?.GetValue<string>() ?? ""))
                    .Append(" |\n");
            }
        }
        text.Append("\n### Validation rules\n\nChecked by the API server (CEL) when a TaskQueue is created or changed; the operator checks them again and reports a violation in the `Degraded` condition and an Event.\n\n");
        text.Append("| on | rule | message |\n| --- | --- | --- |\n");
        foreach (var root in new[] { "spec" })
        {
            foreach (var field in Fields(schema, root))
            {
                var holder = field.Schema["items"] as JsonObject ?? field.Schema;
                foreach (var owner in new[] { field.Schema, holder }.Distinct())
                {
                    foreach (var rule in owner["x-kubernetes-validations"] as JsonArray ?? [])
                    {
                        var on = owner == field.Schema ? field.Path : field.Path + "[]";
                        text.Append("| `").Append(on).Append("` | `").Append(Cell(rule!["rule"]!.GetValue<string>())).Append("` | ")
                            .Append(Cell(rule["message"]?.GetValue<string>() ?? "")).Append(" |\n");
                    }
                }
            }
        }
        text.Append('\n').Append(End);
        return text.ToString();
    }

    private static string TypeOf(JsonObject schema)
    {
        if (schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true) return "int or string";
        var type = schema["type"]?.GetValue<string>() ?? "any";
        if (type == "array" && schema["items"] is JsonObject items) return $"[]{TypeOf(items)}";
        if (type == "object" && schema["additionalProperties"] is JsonObject values) return $"map[string]{TypeOf(values)}";
        if (schema["format"] is { } format) return $"{type} ({format.GetValue<string>()})";
        return type;
    }

    private static string Constraints(JsonObject schema)
    {
        var parts = new List<string>();
        if (schema["enum"] is JsonArray values) parts.Add("one of " + string.Join(", ", values.Select(v => $"`{v!.ToJsonString().Trim('"')}`")));
        Range(parts, schema, "minimum", "maximum", "");
        Range(parts, schema, "minLength", "maxLength", " characters");
        Range(parts, schema, "minItems", "maxItems", " items");
        if (schema["maxProperties"] is { } maxProperties) parts.Add($"at most {maxProperties} entries");
        if (schema["pattern"] is { } pattern && pattern.GetValue<string>().Length <= 48) parts.Add($"matches `{pattern.GetValue<string>()}`");
        if (schema["x-kubernetes-list-type"]?.GetValue<string>() == "map") parts.Add("keyed by " + string.Join(", ", (schema["x-kubernetes-list-map-keys"] as JsonArray ?? []).Select(k => $"`{k}`")));
        if (schema["x-kubernetes-list-type"]?.GetValue<string>() == "set") parts.Add("no duplicates");
        return string.Join("; ", parts);
    }

    private static void Range(List<string> parts, JsonObject schema, string min, string max, string unit)
    {
        var low = schema[min]?.ToJsonString();
        var high = schema[max]?.ToJsonString();
        if (low is not null && high is not null) parts.Add($"{low}–{high}{unit}");
        else if (low is not null) parts.Add($"at least {low}{unit}");
        else if (high is not null) parts.Add($"at most {high}{unit}");
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>The document with its generated part replaced.</summary>
    public static string Splice(string document, string generated)
    {
        var begin = document.IndexOf(Begin, StringComparison.Ordinal);
        var end = document.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin) throw new InvalidOperationException($"docs/taskqueue-reference.md must contain the markers {Begin} and {End}");
        return string.Concat(document.AsSpan(0, begin), generated, document.AsSpan(end + End.Length));
    }

    public static string CurrentDocument() => Repo.Read("docs", "taskqueue-reference.md");

    public static void Write(string document) => File.WriteAllText(Repo.PathOf("docs", "taskqueue-reference.md"), document);

    public static bool UpdateRequested => Environment.GetEnvironmentVariable("CELERIAC_UPDATE_DOCS") == "1";
}
