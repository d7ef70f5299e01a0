using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Celeriac.Chart.Tests;

/// <summary>The templates use only values that values.yaml and the schema define, and every value is used.</summary>
public sealed partial class TemplateValuesTests
{
    private static IReadOnlyList<(string File, string[] Path)> UsedValues() =>
        [.. Templates.Files().SelectMany(file => ValuesReference().Matches(File.ReadAllText(file))
            .Select(m => (Path.GetFileName(file), m.Groups[1].Value.Split('.', StringSplitOptions.RemoveEmptyEntries))))];

    [Fact]
    public void The_templates_use_values()
    {
        var used = UsedValues();
        Assert.True(used.Count > 30, $"only {used.Count} .Values references found: the pattern is wrong");
        Assert.Contains(used, u => u.Path.SequenceEqual(["metrics", "serviceMonitor", "enabled"]));
    }

    [Fact]
    public void Every_value_a_template_uses_is_in_values_yaml()
    {
        var values = ChartValues.Values();
        var missing = UsedValues().Where(u => !Exists(values, u.Path)).Select(u => $"{u.File}: .Values.{string.Join('.', u.Path)}").Distinct().ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_value_a_template_uses_is_in_the_schema()
    {
        var schema = ChartValues.Schema();
        var missing = UsedValues().Where(u => ChartValues.SchemaAt(schema, u.Path) is null).Select(u => $"{u.File}: .Values.{string.Join('.', u.Path)}").Distinct().ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_value_in_values_yaml_is_used_by_a_template()
    {
        var used = UsedValues().Select(u => u.Path).ToList();
        var unused = ChartValues.KeyPaths(ChartValues.Values())
            .Where(path => !used.Any(u => u.Take(path.Length).SequenceEqual(path) || path.Take(u.Length).SequenceEqual(u)))
            .Select(path => string.Join('.', path)).ToList();
        Assert.Empty(unused);
    }

    [Fact]
    public void Every_block_action_is_closed_and_every_template_includes_only_defined_helpers()
    {
        var defined = DefineAction().Matches(Templates.Text("_helpers.tpl")).Select(m => m.Groups[1].Value).ToHashSet();
        foreach (var file in Templates.Files())
        {
            var text = File.ReadAllText(file);
            var name = Path.GetFileName(file);
            Assert.Equal(BlockStart().Matches(text).Count, BlockEnd().Matches(text).Count);
            Assert.Equal(Regex.Count(text, @"\{\{"), Regex.Count(text, @"\}\}"));
            foreach (Match include in IncludeAction().Matches(text))
                Assert.True(defined.Contains(include.Groups[1].Value), $"{name} includes undefined {include.Groups[1].Value}");
        }
    }

    [Fact]
    public void Every_object_carries_the_chart_labels()
    {
        foreach (var file in Templates.Files().Where(f => f.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            var objects = Regex.Count(text, @"^kind: ", RegexOptions.Multiline);
            var labelled = Regex.Count(text, @"^  labels:\n    \{\{- include ""celeriac-operator.labels"" \. \| nindent 4 \}\}", RegexOptions.Multiline);
            Assert.True(objects == labelled, $"{Path.GetFileName(file)}: {objects} objects, {labelled} with the chart labels");
        }
        var helpers = Templates.Text("_helpers.tpl");
        foreach (var label in new[] { "app.kubernetes.io/name:", "app.kubernetes.io/instance:", "app.kubernetes.io/version:", "app.kubernetes.io/managed-by:", "helm.sh/chart:", "app.kubernetes.io/part-of: celeriac" })
            Assert.Contains(label, helpers, StringComparison.Ordinal);
    }

    private static bool Exists(JsonObject values, string[] path)
    {
        JsonNode? node = values;
        foreach (var key in path)
        {
            if (node is not JsonObject obj || !obj.ContainsKey(key)) return false;
            node = obj[key];
        }
        return true;
    }

    [GeneratedRegex(@"\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")]
    private static partial Regex ValuesReference();

    [GeneratedRegex(@"\{\{-?\s*(?:if|with|range|define)\b")]
    private static partial Regex BlockStart();

    [GeneratedRegex(@"\{\{-?\s*end\b")]
    private static partial Regex BlockEnd();

    [GeneratedRegex(@"\{\{-?\s*define ""([^""]+)""")]
    private static partial Regex DefineAction();

    [GeneratedRegex(@"include ""([^""]+)""")]
    private static partial Regex IncludeAction();
}
