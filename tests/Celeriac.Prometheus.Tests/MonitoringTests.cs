using System.Text.Json;
using System.Text.RegularExpressions;

namespace Celeriac.Prometheus.Tests;

/// <summary>deploy/monitoring: alert rules (promtool), their unit tests, runbook, dashboard and the Kubernetes wrappers.</summary>
public sealed partial class MonitoringTests
{
    private static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "monitoring", file);
    private static string Read(string file) => File.ReadAllText(PathOf(file));

    private static List<string> AlertNames() => [.. AlertLine().Matches(Read("celeriac.rules.yml")).Select(m => m.Groups[1].Value)];

    [Fact]
    public async Task Promtool_checks_the_rules_clean()
    {
        var (exitCode, output) = await Promtool.RunAsync(null, "check", "rules", PathOf("celeriac.rules.yml"));
        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS: 7 rules found", output);
    }

    [Fact]
    public async Task Promtool_rule_unit_tests_pass()
    {
        var (exitCode, output) = await Promtool.RunAsync(null, "test", "rules", PathOf("celeriac.rules.test.yml"));
        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output);
    }

    [Fact]
    public void Rule_unit_tests_cover_every_alert_firing_and_not_firing()
    {
        var tests = RuleTest().Matches(Read("celeriac.rules.test.yml")).Select(m => (Alert: m.Groups[1].Value, Fires: m.Groups[2].Value.Length == 0)).ToList();
        var alerts = AlertNames();
        Assert.Equal(7, alerts.Count);
        foreach (var alert in alerts)
        {
            Assert.Contains((alert, true), tests);
            Assert.Contains((alert, false), tests);
        }
        Assert.All(tests, t => Assert.Contains(t.Alert, alerts));
    }

    [Fact]
    public void Every_alert_has_a_summary_a_description_and_a_runbook_section()
    {
        var rules = Read("celeriac.rules.yml");
        var runbook = Read("runbook.md");
        var blocks = rules.Split("- alert: ").Skip(1).ToList();
        Assert.Equal(AlertNames().Count, blocks.Count);
        foreach (var block in blocks)
        {
            var alert = block[..block.IndexOf('\n', StringComparison.Ordinal)].Trim();
            Assert.Contains("summary: ", block);
            Assert.Contains("description: ", block);
            Assert.Contains($"runbook_url: \"docs/runbook.md#{alert.ToLowerInvariant()}\"", block);
            Assert.Matches(new Regex($"^## {alert}$", RegexOptions.Multiline), runbook);
        }
    }

    [Fact]
    public void Rules_and_dashboard_use_only_metrics_the_code_exports()
    {
        var (exported, _) = ExportedMetrics.Collect();
        var rules = Read("celeriac.rules.yml");
        var inRules = ExportedMetrics.NamesIn(rules).ToHashSet();
        var inDashboard = DashboardQueries().SelectMany(ExportedMetrics.NamesIn).ToHashSet();

        Assert.NotEmpty(inRules);
        Assert.Empty(inRules.Except(exported));
        Assert.Empty(inDashboard.Except(exported));
        // The dashboard shows what the issue asks for: throughput, failures by exception, percentiles, depth vs replicas.
        Assert.Superset(new HashSet<string>
        {
            "celeriac_tasks_succeeded_total", "celeriac_tasks_failed_total", "celeriac_task_duration_seconds_bucket",
            "celeriac_task_queue_wait_seconds_bucket", "celeriac_queue_depth", "celeriac_pool_replicas",
        }, inDashboard);
    }

    [Fact]
    public void The_dashboard_parses_and_every_panel_has_queries()
    {
        using var dashboard = JsonDocument.Parse(Read("celeriac-dashboard.json"));
        var root = dashboard.RootElement;
        Assert.Equal("celeriac", root.GetProperty("uid").GetString());
        var panels = root.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();
        Assert.True(panels.Count >= 8);
        Assert.All(panels, p => Assert.NotEmpty(p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString())));
        Assert.Contains(panels, p => p.GetProperty("title").GetString()!.Contains("exception", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(panels, p => p.GetProperty("title").GetString()!.Contains("depth vs replicas", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_kubernetes_wrappers_carry_the_current_rules_and_dashboard()
    {
        var rule = Read("prometheusrule.yaml");
        Assert.Contains("kind: PrometheusRule", rule);
        Assert.Equal(Indent(Read("celeriac.rules.yml"), 2), After(rule, "spec:\n"));

        var configMap = Read("grafana-dashboard-configmap.yaml");
        Assert.Contains("kind: ConfigMap", configMap);
        Assert.Contains("    grafana_dashboard: \"1\"\n", configMap);
        Assert.Equal(Indent(Read("celeriac-dashboard.json"), 4), After(configMap, "  celeriac.json: |\n"));
    }

    private static IEnumerable<string> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(Read("celeriac-dashboard.json"));
        var queries = new List<string>();
        void Walk(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String && property.Name is "expr" or "query" or "definition")
                        queries.Add(property.Value.GetString()!);
                    Walk(property.Value);
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray()) Walk(item);
            }
        }
        Walk(dashboard.RootElement);
        Assert.NotEmpty(queries);
        return queries;
    }

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(l => l.Length == 0 ? l : new string(' ', spaces) + l));

    private static string After(string text, string marker)
    {
        var index = text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{marker.Trim()}' not found; run deploy/monitoring/generate.sh");
        return text[(index + marker.Length)..];
    }

    [GeneratedRegex(@"^\s*- alert: (\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex AlertLine();

    [GeneratedRegex(@"alertname: (\w+)\s*\n\s*exp_alerts:( \[\])?")]
    private static partial Regex RuleTest();
}
