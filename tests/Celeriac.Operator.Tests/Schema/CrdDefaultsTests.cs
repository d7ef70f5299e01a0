using System.Text.Json.Nodes;
using Celeriac.Operator.Schema;
using Celeriac.Operator.Yaml;

namespace Celeriac.Operator.Tests.Schema;

/// <summary>The CRD's defaults are generated from the model (<c>make docs</c> rewrites them; this test fails until it has).</summary>
public sealed class CrdDefaultsTests
{
    private static bool UpdateRequested => Environment.GetEnvironmentVariable("CELERIAC_UPDATE_DOCS") == "1";

    [Fact]
    public void Every_default_of_the_crd_is_the_models_and_the_model_has_no_other()
    {
        var text = CrdFile.Text();
        if (UpdateRequested)
        {
            foreach (var copy in CrdFile.RepositoryCopies())
            {
                var current = File.ReadAllText(copy);
                var regenerated = CrdDefaults.Regenerate(current);
                if (regenerated != current) File.WriteAllText(copy, regenerated);
            }
            text = File.ReadAllText(CrdFile.RepositoryCopies()[0]);
        }
        var schema = YamlJson.ParseSingle(text)["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();
        var fields = CrdDefaults.Compare(schema);
        var wrong = fields.Where(f => f.Crd != f.Model).Select(f => $"{f.Path}: the CRD says {f.Crd ?? "no default"}, the model {f.Model ?? "no default"}").ToList();
        Assert.True(wrong.Count == 0,
            "the CRD's defaults differ from the model's: run `make docs` for a changed value; add or drop the marker by hand for a new or removed default:\n"
            + string.Join("\n", wrong));
        Assert.Contains(fields, f => f.Path == "spec.pools[].concurrency" && f.Model is not null);
        Assert.Contains(fields, f => f.Path == "spec.pools[].autoscaling.scaleDownStabilization" && f.Model is not null);
    }

    [Fact]
    public void Every_default_marker_of_the_crd_belongs_to_a_model_field()
    {
        var paired = ModelSchema.Pairs(CrdFile.OpenApiSchema(), []).Select(p => p.SchemaPath + ".default").ToHashSet(StringComparer.Ordinal);
        var markers = YamlJson.ParseDocumentsWithPositions(CrdFile.Text()).Single().Positions.Keys
            .Where(p => p.EndsWith(".default", StringComparison.Ordinal) && p.StartsWith(ModelSchema.Root, StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(markers);
        Assert.DoesNotContain(markers, m => !paired.Contains(m));
    }

    [Fact]
    public void Regenerating_writes_the_models_values_over_the_markers_and_nothing_else()
    {
        var text = CrdFile.Text();
        var stale = text
            .Replace("                        default: 85\n", "                        default: 70\n", StringComparison.Ordinal)
            .Replace("                            default: 5m\n", "                            default: 1h\n", StringComparison.Ordinal);
        Assert.Equal(2, text.Split('\n').Zip(stale.Split('\n')).Count(l => l.First != l.Second));

        Assert.Equal(text, CrdDefaults.Regenerate(stale));
        Assert.Equal(text, CrdDefaults.Regenerate(text));
    }

    [Fact]
    public void The_defaults_satisfy_the_crds_own_bounds()
    {
        // An API server refuses a CRD whose defaults break its schema; the model's defaults are those defaults.
        var defaulted = YamlJson.ParseSingle("""
            spec:
              broker: { redis: {}, sqs: { credentialsSecretRef: {} } }
              store: { redis: {} }
              queues: [ {} ]
              pools: [ { autoscaling: {} } ]
              schedules: [ {} ]
            """).AsObject();
        SchemaDefaults.Apply(defaulted, CrdFile.OpenApiSchema());
        var errors = StructuralSchemaValidator.Validate(defaulted, CrdFile.OpenApiSchema());
        Assert.NotNull(defaulted["spec"]!["pools"]![0]!["autoscaling"]!["maxScaleUpStep"]);
        // Only the fields the fragment leaves out (required ones) may be missing; no defaulted value is out of bounds.
        Assert.All(errors, e => Assert.Contains("is required", e.Message, StringComparison.Ordinal));
    }
}
