using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Operator.Yaml;

namespace Celeriac.Operator.Tests.Schema;

/// <summary>
/// The CRD's <c>default:</c> markers against the model's defaults, which are the one source (a property's initial value;
/// an empty string is the placeholder of a required field, not a default). <see cref="Regenerate"/> writes the model's
/// values over the markers, as <c>make docs</c> does; a default added to or dropped from the model needs its marker
/// added or dropped by hand, with its description.
/// </summary>
public static class CrdDefaults
{
    /// <param name="Crd">The CRD's default (JSON text), or null.</param>
    /// <param name="Model">The model's default (JSON text), or null.</param>
    public sealed record Field(string Path, string SchemaPath, string? Crd, string? Model);

    public static List<Field> Compare(JsonObject openApiSchema)
    {
        var fields = new List<Field>();
        // The status is the operator's own output, never defaulted by the API server.
        foreach (var pair in ModelSchema.Pairs(openApiSchema, []).Where(p => p.Path.StartsWith("spec.", StringComparison.Ordinal)))
        {
            var type = Nullable.GetUnderlyingType(pair.Property.PropertyType) ?? pair.Property.PropertyType;
            string? model = null;
            if (type == typeof(string) || type == typeof(int) || type == typeof(long) || type == typeof(bool))
            {
                var value = pair.Property.GetValue(Activator.CreateInstance(pair.Owner));
                if (value is not null && value is not "") model = JsonSerializer.Serialize(value);
            }
            fields.Add(new Field(pair.Path, pair.SchemaPath, pair.Schema["default"]?.ToJsonString(), model));
        }
        return fields;
    }

    /// <summary>The CRD text with every existing marker set to the model's value.</summary>
    public static string Regenerate(string crdText)
    {
        var document = YamlJson.ParseDocumentsWithPositions(crdText).Single();
        var lines = crdText.Split('\n');
        foreach (var field in Compare(document.Node!["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject()))
        {
            if (field.Crd is null || field.Model is null || field.Crd == field.Model) continue;
            var at = document.Positions[field.SchemaPath + ".default"];
            var line = lines[at.Line - 1];
            var key = at.Column - 1;
            if (!line[key..].StartsWith("default:", StringComparison.Ordinal)) throw new InvalidOperationException($"line {at.Line} is not a default marker: {line}");
            lines[at.Line - 1] = line[..key] + "default: " + Scalar(JsonNode.Parse(field.Model)!);
        }
        return string.Join('\n', lines);
    }

    /// <summary>A YAML scalar that reads back as the same JSON value.</summary>
    private static string Scalar(JsonNode value)
    {
        if (value.GetValueKind() != JsonValueKind.String) return value.ToJsonString();
        var text = value.GetValue<string>();
        return YamlJson.ParseSingle(text) is JsonValue plain && plain.GetValueKind() == JsonValueKind.String && plain.GetValue<string>() == text
            ? text
            : "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
    }
}
