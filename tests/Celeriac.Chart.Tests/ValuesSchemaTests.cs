using System.Text.Json.Nodes;

namespace Celeriac.Chart.Tests;

/// <summary>values.yaml against values.schema.json, with a real JSON Schema validator (ajv, draft-07 as Helm reads it).</summary>
public sealed class ValuesSchemaTests
{
    [Fact]
    public void Values_yaml_is_valid_against_the_schema()
    {
        var result = SchemaValidator.Validate(ChartValues.Values());
        Assert.True(result.Valid, $"exit {result.ExitCode}: {result.Output}{result.Error}");
    }

    [Theory]
    [InlineData("/replicaCount", "\"two\"")]
    [InlineData("/replicaCount", "0")]
    [InlineData("/replicas", "2")]
    [InlineData("/image/pullPolicy", "\"Sometimes\"")]
    [InlineData("/image/registry", "\"example\"")]
    [InlineData("/serviceAccount/create", "\"yes\"")]
    [InlineData("/leaderElection/alwaysEnabled", "1")]
    [InlineData("/resources/limits/memory", "\"lots\"")]
    [InlineData("/resources/limit", "{}")]
    [InlineData("/service/port", "70000")]
    [InlineData("/metrics/serviceMonitor/interval", "\"soon\"")]
    [InlineData("/metrics/grafana", "{}")]
    [InlineData("/podAnnotations/team", "3")]
    [InlineData("/imagePullSecrets", "[\"regcred\"]")]
    [InlineData("/podSecurityContext/runAsUser", "-1")]
    public void A_wrong_values_document_fails_validation(string pointer, string json)
    {
        var values = ChartValues.Values();
        var parts = pointer.Trim('/').Split('/');
        var parent = parts[..^1].Aggregate((JsonNode)values, (node, key) => node[key]!).AsObject();
        parent[parts[^1]] = JsonNode.Parse(json);

        var result = SchemaValidator.Validate(values);

        Assert.Equal(1, result.ExitCode);
        var errors = JsonNode.Parse(result.Output)!.AsArray();
        var parentPointer = parts.Length == 1 ? "" : "/" + string.Join('/', parts[..^1]);
        Assert.Contains(errors, e => e!["instancePath"]!.GetValue<string>() is var at && (at == pointer || at == parentPointer || at.StartsWith(pointer + "/", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_schema_that_is_not_valid_json_schema_is_reported_as_such()
    {
        var schema = Path.Combine(Path.GetTempPath(), $"celeriac-bad-schema-{Guid.NewGuid():N}.json");
        File.WriteAllText(schema, """{ "type": "object", "properties": { "x": { "type": "integr" } } }""");
        try
        {
            Assert.Equal(2, SchemaValidator.Validate(new JsonObject(), schema).ExitCode);
        }
        finally
        {
            File.Delete(schema);
        }
    }

    [Fact]
    public void Every_value_is_described_by_the_schema()
    {
        var schema = ChartValues.Schema();
        var undescribed = new List<string>();
        foreach (var path in ChartValues.KeyPaths(ChartValues.Values()))
        {
            // A key is described when the schema has it, or when an ancestor is a free-form map (no listed properties).
            var described = Enumerable.Range(0, path.Length).Any(n =>
                ChartValues.SchemaAt(schema, path[..n]) is { } ancestor && ancestor["properties"] is null && ancestor["additionalProperties"] is not JsonValue)
                || ChartValues.SchemaAt(schema, path) is not null;
            if (!described) undescribed.Add(string.Join('.', path));
        }
        Assert.Empty(undescribed);
    }

    [Fact]
    public void Every_schema_property_has_a_type()
    {
        var schema = ChartValues.Schema();
        var untyped = new List<string>();
        Walk(schema["properties"]!.AsObject(), "");
        Assert.Empty(untyped);

        void Walk(JsonObject properties, string prefix)
        {
            foreach (var (key, value) in properties)
            {
                var property = value!.AsObject();
                if (property["type"] is null && property["$ref"] is null) untyped.Add(prefix + key);
                if (property["properties"] is JsonObject nested) Walk(nested, prefix + key + ".");
            }
        }
    }

    [Fact]
    public void The_chart_own_objects_reject_unknown_keys()
    {
        var schema = ChartValues.Schema();
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());
        foreach (var key in new[] { "image", "serviceAccount", "rbac", "leaderElection", "resources", "service", "metrics", "webDashboard" })
            Assert.False(ChartValues.SchemaAt(schema, [key])!["additionalProperties"]!.GetValue<bool>(), key);
        foreach (var key in new[] { "serviceMonitor", "prometheusRule", "dashboard" })
            Assert.False(ChartValues.SchemaAt(schema, ["metrics", key])!["additionalProperties"]!.GetValue<bool>(), key);
        foreach (var key in new[] { "image", "tokenSecret", "service", "resources" })
            Assert.False(ChartValues.SchemaAt(schema, ["webDashboard", key])!["additionalProperties"]!.GetValue<bool>(), key);
    }
}
