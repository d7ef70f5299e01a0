using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;
using Celeriac.Operator.Schema;
using Celeriac.Operator.Tests.Schema;
using Celeriac.Operator.Validation;
using Celeriac.Operator.Yaml;

namespace Celeriac.Operator.Tests;

public sealed class SchemaTests
{
    public static TheoryData<string> ExampleFiles() => [.. CrdFile.Examples().Select(Path.GetFileName).OfType<string>()];

    private static string ExamplePath(string file) => Path.Combine(AppContext.BaseDirectory, "examples", file);

    [Fact]
    public void Crd_declares_the_resource_as_the_issue_asks()
    {
        var crd = CrdFile.Load();
        Assert.Equal("taskqueues.celeriac.io", crd["metadata"]!["name"]!.GetValue<string>());
        var spec = crd["spec"]!;
        Assert.Equal("celeriac.io", spec["group"]!.GetValue<string>());
        Assert.Equal("Namespaced", spec["scope"]!.GetValue<string>());
        Assert.Equal("TaskQueue", spec["names"]!["kind"]!.GetValue<string>());
        Assert.Contains("tq", spec["names"]!["shortNames"]!.AsArray().Select(n => n!.GetValue<string>()));
        var version = spec["versions"]![0]!;
        Assert.Equal("v1alpha1", version["name"]!.GetValue<string>());
        Assert.NotNull(version["subresources"]!["status"]);
        Assert.Equal(["Ready", "Pools", "Replicas", "Depth", "Age"],
            version["additionalPrinterColumns"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
    }

    [Fact]
    public void The_operator_embeds_the_crd_file_it_checks_render_input_against()
    {
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(CrdFile.Load(), TaskQueueSchema.Definition));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(CrdFile.OpenApiSchema(), TaskQueueSchema.OpenApiSchema));
    }

    [Fact]
    public void Schema_is_structural_every_node_has_a_type_and_no_refs()
    {
        var problems = new List<string>();
        void Walk(JsonObject node, string path)
        {
            if (node.ContainsKey("$ref")) problems.Add($"{path}: $ref is not allowed in a CRD");
            if (node["type"] is null && node["x-kubernetes-int-or-string"] is null && node["x-kubernetes-preserve-unknown-fields"] is null)
                problems.Add($"{path}: no type");
            foreach (var (key, child) in node["properties"] as JsonObject ?? [])
                Walk(child!.AsObject(), $"{path}.{key}");
            if (node["items"] is JsonObject items) Walk(items, path + "[]");
            if (node["additionalProperties"] is JsonObject additional) Walk(additional, path + "{}");
        }
        Walk(CrdFile.OpenApiSchema(), "$");
        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Every_example_validates_against_the_crd_schema(string file)
    {
        var document = YamlJson.ParseSingle(File.ReadAllText(ExamplePath(file)));
        Assert.Empty(StructuralSchemaValidator.Validate(document, CrdFile.OpenApiSchema()));
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Every_example_deserializes_into_the_model_passes_validation_and_round_trips_through_the_schema(string file)
    {
        var document = YamlJson.ParseSingle(File.ReadAllText(ExamplePath(file)));
        var queue = ModelJson.ToTaskQueue(document);
        Assert.Empty(TaskQueueValidator.Validate(queue));
        Assert.NotEmpty(queue.Spec.Pools);
        Assert.False(string.IsNullOrEmpty(queue.Spec.Image));

        // Nothing lost and nothing added but the CRD's defaults: the model serialises back to the spec as an API server
        // stores it, and that validates too.
        var back = ModelJson.ToNode(queue);
        var stored = document.DeepClone();
        SchemaDefaults.Apply(stored, CrdFile.OpenApiSchema());
        Assert.True(JsonNode.DeepEquals(Normalize(stored["spec"]), Normalize(back["spec"])),
            $"spec changed through the model:\n{stored["spec"]!.ToJsonString()}\n{back["spec"]!.ToJsonString()}");
        Assert.Empty(StructuralSchemaValidator.Validate(back, CrdFile.OpenApiSchema()));
        Assert.NotEmpty(TaskQueueRenderer.Render(queue, new RenderOptions()));
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void The_schema_defaults_are_the_operators_defaults(string file)
    {
        // A real API server fills in the CRD's defaults; the fake does not. Both must render the same objects.
        var document = YamlJson.ParseSingle(File.ReadAllText(ExamplePath(file))).AsObject();
        var defaulted = (JsonObject)document.DeepClone();
        SchemaDefaults.Apply(defaulted, CrdFile.OpenApiSchema());
        Assert.False(JsonNode.DeepEquals(document, defaulted), "the example sets every defaulted field; nothing is compared");
        var plain = TaskQueueRenderer.Render(ModelJson.ToTaskQueue(document), new RenderOptions());
        var withDefaults = TaskQueueRenderer.Render(ModelJson.ToTaskQueue(defaulted), new RenderOptions());
        Assert.Equal(plain.Count, withDefaults.Count);
        foreach (var (a, b) in plain.Zip(withDefaults))
            Assert.True(JsonNode.DeepEquals(a, b), $"defaults change the rendering:\n{a.ToJsonString()}\n{b.ToJsonString()}");
        Assert.Empty(TaskQueueValidator.Validate(ModelJson.ToTaskQueue(defaulted)));
    }

    [Fact]
    public void Model_and_schema_have_the_same_fields_at_every_level()
    {
        var mismatches = new List<string>();
        Assert.NotEmpty(ModelSchema.Pairs(CrdFile.OpenApiSchema(), mismatches));
        Assert.Empty(mismatches);
    }

    [Theory]
    [InlineData("spec.pools[0].concurrency", "0", "below")]
    [InlineData("spec.pools[0].name", "\"Bad_Name\"", "does not match")]
    [InlineData("spec.imagePullPolicy", "\"Sometimes\"", "is not one of")]
    [InlineData("spec.tasks[0].timeLimit", "\"30 seconds\"", "does not match")]
    [InlineData("spec.broker.sqs.region", "\"Europe\"", "does not match")]
    [InlineData("spec.store.redis.keyPrefix", "\"bad prefix\"", "does not match")]
    [InlineData("spec.store.redis.unknownField", "1", "unknown field")]
    [InlineData("spec.pools[0].memoryCeilingPercent", "99", "above")]
    [InlineData("spec.pools[0].unknownField", "1", "unknown field")]
    [InlineData("spec.tasks[0].rateLimit", "\"fast\"", "does not match")]
    [InlineData("spec.schedules[1].missedRunPolicy", "\"Always\"", "is not one of")]
    [InlineData("spec.schedules[1].interval", "\"every hour\"", "does not match")]
    [InlineData("spec.schedules[1].expires", "\"10 minutes\"", "does not match")]
    public void Schema_rejects_what_it_should(string path, string json, string expected)
    {
        var document = YamlJson.ParseSingle(File.ReadAllText(ExamplePath("taskqueue-sqs.yaml"))).AsObject();
        SetPath(document, path, JsonNode.Parse(json));
        var errors = StructuralSchemaValidator.Validate(document, CrdFile.OpenApiSchema());
        Assert.Contains(errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Schema_rejects_duplicate_pool_names_through_the_list_map_key()
    {
        var document = YamlJson.ParseSingle(File.ReadAllText(ExamplePath("taskqueue-sqs.yaml"))).AsObject();
        document["spec"]!["pools"]![1]!["name"] = "urgent";
        Assert.Contains(StructuralSchemaValidator.Validate(document, CrdFile.OpenApiSchema()), e => e.Message.Contains("duplicate", StringComparison.Ordinal));
    }

    [Fact]
    public void Cel_rules_are_present_for_the_cross_field_checks()
    {
        var text = File.ReadAllText(Path.Combine(CrdFile.Directory, "celeriac.io_taskqueues.yaml"));
        Assert.Contains("self.minReplicas <= self.maxReplicas", text, StringComparison.Ordinal);
        Assert.Contains("self.pools.all(p, p.queues.all(q, self.queues.exists(d, d.name == q)))", text, StringComparison.Ordinal);
        Assert.Contains("self.matches(", text, StringComparison.Ordinal);
        Assert.Contains("has(self.redis) ? 1 : 0", text, StringComparison.Ordinal);
        Assert.Contains("has(self.cron) != has(self.interval)", text, StringComparison.Ordinal);
    }

    private static void SetPath(JsonObject root, string path, JsonNode? value)
    {
        JsonNode current = root;
        var parts = path.Split('.');
        foreach (var part in parts[..^1])
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            current = bracket < 0 ? current[part]! : current[part[..bracket]]![int.Parse(part[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)]!;
        }
        current[parts[^1]] = value;
    }

    /// <summary>Numbers and strings of quantities compare by text: the model keeps quantities as strings.</summary>
    private static JsonNode? Normalize(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Normalize(kv.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Normalize)]),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => JsonValue.Create(v.ToJsonString()),
        _ => node?.DeepClone(),
    };
}
