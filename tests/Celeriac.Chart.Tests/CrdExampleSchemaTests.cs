using System.Text.Json.Nodes;

namespace Celeriac.Chart.Tests;

/// <summary>
/// Every TaskQueue under examples/ validates against the CRD's openAPIV3Schema with a real JSON Schema
/// validator (ajv; JsonSchema.Net cannot be restored from the package mirror). Kubernetes' own extensions are
/// not JSON Schema: int-or-string becomes its JSON Schema equivalent, integer widths are dropped, the rest (list types, CEL rules) is left out
/// here; the operator's validator repeats the CEL rules.
/// </summary>
public sealed class CrdExampleSchemaTests : IDisposable
{
    private readonly string _schemaPath = Path.Combine(Path.GetTempPath(), $"celeriac-crd-{Guid.NewGuid():N}.json");

    public CrdExampleSchemaTests()
    {
        var crd = Yaml.Parse(Repo.Read("crds", "celeriac.io_taskqueues.yaml"));
        var schema = crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.DeepClone();
        File.WriteAllText(_schemaPath, WithoutKubernetesExtensions(schema)!.ToJsonString());
    }

    /// <summary>Every TaskQueue manifest under examples/ (paths relative to it), the worker example's deploy/ folders included.</summary>
    public static TheoryData<string> Examples() =>
        [.. Directory.GetFiles(Repo.PathOf("examples"), "*.yaml", SearchOption.AllDirectories)
            .Where(f => Yaml.ParseDocuments(File.ReadAllText(f)).Any(d => d?["kind"]?.GetValue<string>() == "TaskQueue"))
            .Select(f => Path.GetRelativePath(Repo.PathOf("examples"), f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_example_is_valid_against_the_crd_schema(string example)
    {
        var result = SchemaValidator.Validate(Yaml.Parse(Repo.Read(["examples", .. example.Split('/')])), _schemaPath);
        Assert.True(result.ExitCode == 0, $"{example}: {result.Output} {result.Error}");
    }

    [Fact]
    public void A_wrong_type_and_an_out_of_bounds_value_are_rejected()
    {
        var document = Yaml.Parse(Repo.Read("examples", "taskqueue-sqs.yaml"));
        document["spec"]!["pools"]![0]!["concurrency"] = "lots";
        var wrongType = SchemaValidator.Validate(document, _schemaPath);
        Assert.Equal(1, wrongType.ExitCode);
        Assert.Contains("concurrency", wrongType.Output, StringComparison.Ordinal);

        // Unknown fields are pruned by the API server, not rejected, so only bounds and types are checked here.
        var tooMany = Yaml.Parse(Repo.Read("examples", "taskqueue-sqs.yaml"));
        tooMany["spec"]!["pools"]![0]!["concurrency"] = 5000;
        var outOfBounds = SchemaValidator.Validate(tooMany, _schemaPath);
        Assert.Equal(1, outOfBounds.ExitCode);
        Assert.Contains("maximum", outOfBounds.Output, StringComparison.Ordinal);
    }

    private static JsonNode? WithoutKubernetesExtensions(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["x-kubernetes-int-or-string"]?.GetValue<bool>() == true)
                {
                    var text = new JsonObject { ["type"] = "string" };
                    if (obj["pattern"] is { } pattern)
                    {
                        obj.Remove("pattern");
                        text["pattern"] = pattern;
                    }
                    obj["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, text);
                }
                // OpenAPI's integer formats only name the width, which a JSON number already satisfies here.
                if (obj["format"]?.GetValue<string>() is "int32" or "int64") obj.Remove("format");
                foreach (var key in obj.Select(p => p.Key).Where(k => k.StartsWith("x-kubernetes-", StringComparison.Ordinal)).ToList())
                    obj.Remove(key);
                foreach (var (_, child) in obj) WithoutKubernetesExtensions(child);
                break;
            case JsonArray array:
                foreach (var child in array) WithoutKubernetesExtensions(child);
                break;
        }
        return node;
    }

    public void Dispose() => File.Delete(_schemaPath);
}
