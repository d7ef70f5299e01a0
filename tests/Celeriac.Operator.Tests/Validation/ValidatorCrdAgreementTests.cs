using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Celeriac.Operator.Model;
using Celeriac.Operator.Tests.Schema;
using Celeriac.Operator.Validation;

namespace Celeriac.Operator.Tests.Validation;

/// <summary>
/// The validator and the CRD agree, for objects that never passed an API server (<c>render</c>, or a server without the
/// schema): every bound the CRD states is refused by the validator at the same field, every CEL rule of the CRD has its
/// check in the validator, and the valid TaskQueues that reach every field pass both.
/// </summary>
public sealed class ValidatorCrdAgreementTests
{
    /// <summary>A place in a TaskQueue: object keys and array indices from the root.</summary>
    private sealed record Location(IReadOnlyList<object> Segments)
    {
        public string Field => string.Concat(Segments.Select((s, i) => s is int n ? $"[{n}]" : i == 0 ? (string)s : "." + s));

        public JsonNode? Parent(JsonObject root)
        {
            JsonNode? node = root;
            foreach (var segment in Segments.Take(Segments.Count - 1)) node = segment is int n ? node![n] : node![(string)segment];
            return node;
        }

        public void Set(JsonObject root, JsonNode? value)
        {
            var parent = Parent(root)!;
            if (Segments[^1] is int n) parent[n] = value;
            else parent[(string)Segments[^1]] = value;
        }

        public JsonNode? Get(JsonObject root) => Segments[^1] is int n ? Parent(root)![n] : Parent(root)![(string)Segments[^1]];

        public Location Child(object segment) => new([.. Segments, segment]);
    }

    /// <summary>One bound of the CRD broken at one place: the field the error must name.</summary>
    private sealed record Violation(string Schema, string Bound, int Fixture, string Field, Action<JsonObject> Break)
    {
        public override string ToString() => $"{Schema} {Bound} (at {Field})";
    }

    /// <summary>Every bound of the CRD's spec, each broken once, by "schema path" and bound.</summary>
    private static readonly Lazy<Dictionary<string, Violation>> Bounds = new(() =>
    {
        var found = new Dictionary<(string, string), Violation>();
        for (var i = 0; i < FullTaskQueues.Count; i++)
            Walk(CrdFile.OpenApiSchema()["properties"]!["spec"]!.AsObject(), FullTaskQueues.Get(i), new Location(["spec"]), "spec", i, found);
        return found.Values.ToDictionary(v => $"{v.Schema} {v.Bound}", StringComparer.Ordinal);
    });

    public static TheoryData<string> Violations() => [.. Bounds.Value.Keys];

    private static void Walk(JsonObject schema, JsonObject root, Location at, string schemaPath, int fixture, Dictionary<(string, string), Violation> found)
    {
        var value = at.Get(root);
        if (value is null) return;
        void Add(string bound, Action<JsonObject> change, Location? field = null) =>
            found.TryAdd((schemaPath, bound), new Violation(schemaPath, bound, fixture, (field ?? at).Field, change));

        if (schema["minimum"] is { } min) Add("minimum", r => at.Set(r, min.GetValue<long>() - 1));
        if (schema["maximum"] is { } max) Add("maximum", r => at.Set(r, max.GetValue<long>() + 1));
        if (schema["enum"] is JsonArray) Add("enum", r => at.Set(r, "NoSuchValue"));
        if (schema["pattern"]?.GetValue<string>() is { } pattern && value.GetValueKind() == System.Text.Json.JsonValueKind.String)
        {
            var breaking = new[] { "!", " ", "no such value!", "", "-" }.First(c => !Regex.IsMatch(c, pattern));
            Add("pattern", r => at.Set(r, breaking));
        }
        if (schema["minLength"]?.GetValue<int>() is { } minLength and > 0) Add("minLength", r => at.Set(r, new string('a', minLength - 1)));
        if (schema["maxLength"]?.GetValue<int>() is { } maxLength) Add("maxLength", r => at.Set(r, new string('a', maxLength + 1)));

        if (value is JsonArray array)
        {
            if (schema["minItems"]?.GetValue<int>() is { } minItems and > 0) Add("minItems", r => at.Set(r, new JsonArray()));
            if (schema["maxItems"]?.GetValue<int>() is { } maxItems)
                Add("maxItems", r => at.Set(r, new JsonArray([.. Enumerable.Range(0, maxItems + 1).Select(_ => array[0]!.DeepClone())])));
            if (schema["x-kubernetes-list-type"]?.GetValue<string>() is "map" or "set")
                Add("unique", r => ((JsonArray)at.Get(r)!).Add(array[0]!.DeepClone()));
            for (var i = 0; i < array.Count; i++) Walk(schema["items"]!.AsObject(), root, at.Child(i), schemaPath + "[]", fixture, found);
        }
        if (value is JsonObject obj)
        {
            if (schema["maxProperties"]?.GetValue<int>() is { } maxProperties)
                Add("maxProperties", r =>
                {
                    var target = (JsonObject)at.Get(r)!;
                    for (var i = 0; target.Count <= maxProperties; i++) target[$"extra{i}"] = target.First().Value!.DeepClone();
                });
            foreach (var required in schema["required"]?.AsArray().Select(n => n!.GetValue<string>()) ?? [])
                if (obj.ContainsKey(required)) Add("required " + required, r => ((JsonObject)at.Get(r)!).Remove(required));
            foreach (var (key, child) in schema["properties"] as JsonObject ?? [])
                if (obj.ContainsKey(key)) Walk(child!.AsObject(), root, at.Child(key), $"{schemaPath}.{key}", fixture, found);
            if (schema["additionalProperties"] is JsonObject additional)
                foreach (var key in obj.Select(kv => kv.Key).ToList()) Walk(additional, root, at.Child(key), schemaPath + ".*", fixture, found);
        }
    }

    private static IReadOnlyList<string> Validate(JsonObject document) => TaskQueueValidator.Validate(ModelJson.ToTaskQueue(document));

    [Fact]
    public void The_full_task_queues_are_valid()
    {
        foreach (var fixture in FullTaskQueues.All()) Assert.Empty(Validate(fixture));
    }

    [Fact]
    public void The_full_task_queues_reach_every_field_of_the_crd()
    {
        var reached = new HashSet<string>(StringComparer.Ordinal);
        void Collect(JsonNode? node, string path)
        {
            reached.Add(path);
            if (node is JsonObject obj) foreach (var (key, child) in obj) Collect(child, $"{path}.{key}");
            if (node is JsonArray array) foreach (var item in array) Collect(item, path + "[]");
        }
        foreach (var fixture in FullTaskQueues.All()) Collect(fixture["spec"], "spec");
        var fields = ModelSchema.Pairs(CrdFile.OpenApiSchema(), []).Select(p => p.Path.Replace("[]", "", StringComparison.Ordinal))
            .Where(p => p.StartsWith("spec", StringComparison.Ordinal)).ToList();
        var missing = fields.Where(f => !reached.Select(r => r.Replace("[]", "", StringComparison.Ordinal)).Contains(f)).ToList();
        Assert.True(missing.Count == 0, "fields no full TaskQueue sets: " + string.Join(", ", missing));
    }

    [Theory]
    [MemberData(nameof(Violations))]
    public void Every_bound_of_the_crd_is_refused_by_the_validator_at_its_field(string bound)
    {
        var violation = Bounds.Value[bound];
        var document = FullTaskQueues.Get(violation.Fixture);
        violation.Break(document);
        var errors = Validate(document);
        var prefix = violation.Bound.StartsWith("required", StringComparison.Ordinal) ? violation.Field : violation.Field + ":";
        Assert.True(errors.Any(e => e.StartsWith(prefix, StringComparison.Ordinal)),
            $"{violation}: the validator says only: {string.Join("; ", errors)}");
    }

    [Fact]
    public void The_bounds_found_include_the_pool_defaults()
    {
        Assert.Contains("spec.pools[].concurrency minimum", Bounds.Value.Keys);
        Assert.Contains("spec.pools[].memoryCeilingPercent maximum", Bounds.Value.Keys);
        Assert.Contains("spec.pools[].autoscaling.engine enum", Bounds.Value.Keys);
        Assert.Contains("spec.pools[].resources.limits.* pattern", Bounds.Value.Keys);
        Assert.Contains("spec.routes[].pattern pattern", Bounds.Value.Keys);
        Assert.Contains("spec.routes unique", Bounds.Value.Keys);
    }

    /// <summary>Each CEL rule of the CRD: where it stands, its text, and a change to a full TaskQueue that breaks it.</summary>
    private static readonly (string Schema, string Rule, int Fixture, string Field, Action<JsonObject> Break)[] CelRules =
    [
        ("spec", "self.pools.all(p, p.queues.all(q, self.queues.exists(d, d.name == q)))", 0, "spec.pools[0].queues",
            d => d["spec"]!["pools"]![0]!["queues"] = new JsonArray("nope")),
        ("spec", "!has(self.schedules) || self.schedules.all(s, self.queues.exists(d, d.name == s.queue) || !has(s.queue))", 0, "spec.schedules[0].queue",
            d => d["spec"]!["schedules"]![0]!["queue"] = "nope"),
        ("spec", "!has(self.routes) || self.routes.all(r, self.queues.exists(d, d.name == r.queue))", 0, "spec.routes[1].queue",
            d => d["spec"]!["routes"]![1]!["queue"] = "nope"),
        ("spec.broker", "(has(self.redis) ? 1 : 0) + (has(self.sqs) ? 1 : 0) + (has(self.serviceBus) ? 1 : 0) == 1", 0, "spec.broker",
            d => d["spec"]!["broker"]!["redis"] = new JsonObject { ["address"] = "r:6379" }),
        ("spec.broker.redis", "has(self.address) != has(self.connectionStringSecretRef)", 1, "spec.broker.redis",
            d => d["spec"]!["broker"]!["redis"]!["address"] = "r:6379"),
        ("spec.broker.redis", "!(has(self.connectionStringSecretRef) && has(self.passwordSecretRef))", 1, "spec.broker.redis",
            d => d["spec"]!["broker"]!["redis"]!["passwordSecretRef"] = new JsonObject { ["name"] = "r", ["key"] = "pw" }),
        ("spec.broker.serviceBus", "has(self.fullyQualifiedNamespace) != has(self.connectionStringSecretRef)", 3, "spec.broker.serviceBus",
            d => d["spec"]!["broker"]!["serviceBus"]!["connectionStringSecretRef"] = new JsonObject { ["name"] = "sb", ["key"] = "cs" }),
        ("spec.store.redis", "has(self.address) != has(self.connectionStringSecretRef)", 0, "spec.store.redis",
            d => d["spec"]!["store"]!["redis"]!["connectionStringSecretRef"] = new JsonObject { ["name"] = "s", ["key"] = "url" }),
        ("spec.store.redis", "!(has(self.connectionStringSecretRef) && has(self.passwordSecretRef))", 1, "spec.store.redis",
            d => d["spec"]!["store"]!["redis"]!["passwordSecretRef"] = new JsonObject { ["name"] = "s", ["key"] = "pw" }),
        ("spec.celery.resultBackend", "has(self.address) != has(self.connectionStringSecretRef)", 1, "spec.celery.resultBackend",
            d => d["spec"]!["celery"]!["resultBackend"]!["address"] = "r:6379"),
        ("spec.celery.resultBackend", "!(has(self.connectionStringSecretRef) && (has(self.passwordSecretRef) || has(self.database)))", 1, "spec.celery.resultBackend",
            d => d["spec"]!["celery"]!["resultBackend"]!["database"] = 2),
        ("spec.pools[].resources", "has(self.limits.memory)", 0, "spec.pools[0].resources",
            d => d["spec"]!["pools"]![0]!["resources"]!["limits"]!.AsObject().Remove("memory")),
        ("spec.pools[].autoscaling", "self.minReplicas <= self.maxReplicas", 0, "spec.pools[0].autoscaling",
            d => d["spec"]!["pools"]![0]!["autoscaling"]!["minReplicas"] = 9),
        ("spec.pools[].autoscaling.pollingInterval", "duration(self) >= duration('100ms')", 0, "spec.pools[0].autoscaling.pollingInterval",
            d => d["spec"]!["pools"]![0]!["autoscaling"]!["pollingInterval"] = "50ms"),
        ("spec.pools[].env[]", "!self.name.startsWith('Celeriac__')", 0, "spec.pools[0].env[0]",
            d => d["spec"]!["pools"]![0]!["env"]![0]!["name"] = "Celeriac__Worker__Concurrency"),
        ("spec.pools[].env[]", "!(has(self.value) && has(self.valueFrom))", 0, "spec.pools[0].env[1]",
            d => d["spec"]!["pools"]![0]!["env"]![1]!["value"] = "both"),
        ("spec.tasks[]", "!has(self.softTimeLimit) || !has(self.timeLimit) || duration(self.softTimeLimit) <= duration(self.timeLimit)", 0, "spec.tasks[0]",
            d => d["spec"]!["tasks"]![0]!["softTimeLimit"] = "1m"),
        ("spec.schedules[]", "has(self.cron) != has(self.interval)", 0, "spec.schedules[0]",
            d => d["spec"]!["schedules"]![0]!["interval"] = "1h"),
        ("spec.schedules[].cron", "self.matches('^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|\\\\S+( \\\\S+){4})$')", 0, "spec.schedules[0].cron",
            d => d["spec"]!["schedules"]![0]!["cron"] = "every day"),
        ("spec.schedules[].interval", "duration(self) >= duration('1s')", 0, "spec.schedules[1].interval",
            d => d["spec"]!["schedules"]![1]!["interval"] = "500ms"),
    ];

    [Fact]
    public void Every_cel_rule_of_the_crd_has_its_check_in_the_validator()
    {
        var inCrd = new List<(string, string)>();
        void Collect(JsonObject schema, string path)
        {
            foreach (var rule in schema["x-kubernetes-validations"]?.AsArray() ?? []) inCrd.Add((path, rule!["rule"]!.GetValue<string>()));
            foreach (var (key, child) in schema["properties"] as JsonObject ?? []) Collect(child!.AsObject(), $"{path}.{key}");
            if (schema["items"] is JsonObject items) Collect(items, path + "[]");
        }
        Collect(CrdFile.OpenApiSchema()["properties"]!["spec"]!.AsObject(), "spec");
        Assert.Equal(inCrd.Order(), CelRules.Select(r => (r.Schema, r.Rule)).Order());

        foreach (var (schema, rule, fixture, field, change) in CelRules)
        {
            var document = FullTaskQueues.Get(fixture);
            Assert.Empty(Validate(document));
            change(document);
            var errors = Validate(document);
            Assert.True(errors.Any(e => e.StartsWith(field + ":", StringComparison.Ordinal)),
                $"{schema}: {rule} is not checked at {field}; the validator says: {string.Join("; ", errors)}");
        }
    }
}
