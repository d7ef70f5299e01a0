using System.Text.Json.Nodes;

namespace Celeriac.Chart.Tests;

/// <summary>What the chart copies from the rest of the repository stays equal to it: the CRD, the RBAC rules, the monitoring sources.</summary>
public sealed class SyncTests
{
    [Fact]
    public void The_chart_crd_is_a_copy_of_crds()
    {
        var chartCrds = Directory.EnumerateFiles(Path.Combine(Repo.Chart, "crds")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["celeriac.io_taskqueues.yaml"], chartCrds);
        Assert.True(Repo.Read("crds", "celeriac.io_taskqueues.yaml") == Repo.ChartFile("crds", "celeriac.io_taskqueues.yaml"),
            "charts/celeriac-operator/crds/ differs from crds/: cp crds/celeriac.io_taskqueues.yaml charts/celeriac-operator/crds/");
    }

    [Theory]
    [InlineData("ClusterRole", "clusterrole.yaml")]
    [InlineData("Role", "role.yaml")]
    public void The_chart_rbac_rules_equal_config(string kind, string template)
    {
        var config = Yaml.ParseDocuments(Repo.Read("config", "rbac.yaml")).OfType<JsonObject>().Single(d => d["kind"]!.GetValue<string>() == kind);
        var chart = Templates.SkeletonOf(template, kind);
        Assert.True(JsonNode.DeepEquals(config["rules"], chart["rules"]), $"config: {config["rules"]!.ToJsonString()}\nchart:  {chart["rules"]!.ToJsonString()}");
    }

    [Theory]
    [InlineData("ClusterRoleBinding", "clusterrole.yaml", "ClusterRole")]
    [InlineData("RoleBinding", "role.yaml", "Role")]
    public void The_bindings_bind_the_role_to_the_operator_service_account(string kind, string template, string roleKind)
    {
        var binding = Templates.SkeletonOf(template, kind);
        Assert.Equal(roleKind, binding["roleRef"]!["kind"]!.GetValue<string>());
        Assert.Contains("include \"celeriac-operator.serviceAccountName\" .", Templates.Text(template), StringComparison.Ordinal);
        Assert.Equal("ServiceAccount", binding["subjects"]![0]!["kind"]!.GetValue<string>());
        Assert.Equal(Templates.Placeholder, binding["subjects"]![0]!["namespace"]!.GetValue<string>());
        Assert.Contains("namespace: {{ .Release.Namespace }}", Templates.Text(template), StringComparison.Ordinal);
    }

    [Fact]
    public void No_rule_grants_a_wildcard()
    {
        foreach (var (template, kind) in new[] { ("clusterrole.yaml", "ClusterRole"), ("role.yaml", "Role") })
        {
            foreach (var rule in Templates.SkeletonOf(template, kind)["rules"]!.AsArray())
            {
                foreach (var field in new[] { "apiGroups", "resources", "verbs" })
                    Assert.DoesNotContain("*", rule![field]!.AsArray().Select(v => v!.GetValue<string>()));
            }
        }
    }

    [Theory]
    [InlineData("celeriac.rules.yml")]
    [InlineData("celeriac-dashboard.json")]
    public void The_chart_ships_the_monitoring_sources_of_deploy_monitoring(string file)
    {
        Assert.True(Repo.Read("deploy", "monitoring", file) == Repo.ChartFile("files", file),
            $"charts/celeriac-operator/files/{file} differs from deploy/monitoring/{file}: run deploy/monitoring/generate.sh");
    }

    [Fact]
    public void The_prometheus_rule_template_renders_the_same_spec_as_deploy_monitoring()
    {
        var rendered = RenderFilesGet("prometheusrule.yaml");
        var expected = Yaml.Parse(Repo.Read("deploy", "monitoring", "prometheusrule.yaml"));
        Assert.Equal("PrometheusRule", rendered["kind"]!.GetValue<string>());
        Assert.Equal("monitoring.coreos.com/v1", rendered["apiVersion"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(expected["spec"], rendered["spec"]), "the rendered PrometheusRule spec differs from deploy/monitoring/prometheusrule.yaml");
        Assert.Contains("CeleriacBacklogGrowing", rendered["spec"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_dashboard_template_renders_the_same_dashboard_as_deploy_monitoring_with_the_sidecar_label()
    {
        var rendered = RenderFilesGet("dashboard-configmap.yaml");
        var expected = Yaml.Parse(Repo.Read("deploy", "monitoring", "grafana-dashboard-configmap.yaml"));
        Assert.Equal("ConfigMap", rendered["kind"]!.GetValue<string>());
        Assert.Equal("1", rendered["metadata"]!["labels"]!["grafana_dashboard"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected["data"]!["celeriac.json"]!.GetValue<string>()), JsonNode.Parse(rendered["data"]!["celeriac.json"]!.GetValue<string>())));
    }

    [Theory]
    [InlineData("servicemonitor.yaml", "metrics.serviceMonitor.enabled")]
    [InlineData("prometheusrule.yaml", "metrics.prometheusRule.enabled")]
    [InlineData("dashboard-configmap.yaml", "metrics.dashboard.enabled")]
    public void The_monitoring_objects_are_optional_and_off_by_default(string template, string value)
    {
        Assert.StartsWith("{{- if .Values." + value + " }}\n", Templates.Text(template), StringComparison.Ordinal);
        Assert.EndsWith("{{- end }}\n", Templates.Text(template), StringComparison.Ordinal);
        JsonNode? node = ChartValues.Values();
        foreach (var key in value.Split('.')) node = node![key];
        Assert.False(node!.GetValue<bool>());
    }

    /// <summary>
    /// The skeleton of a template, with its one <c>.Files.Get "files/x" | nindent n</c> action replaced as Helm does
    /// (a newline, then the file indented by n spaces on every line).
    /// </summary>
    private static JsonObject RenderFilesGet(string template)
    {
        var lines = Templates.Text(template).Split('\n').ToList();
        var index = lines.FindIndex(l => l.Contains(".Files.Get", StringComparison.Ordinal));
        Assert.True(index > 0, $"{template} does not read a file with .Files.Get");
        var action = System.Text.RegularExpressions.Regex.Match(lines[index], @"^\s*\{\{- \.Files\.Get ""(files/[^""]+)"" \| nindent (\d+) \}\}$");
        Assert.True(action.Success, $"unexpected .Files.Get line: {lines[index]}");
        var pad = new string(' ', int.Parse(action.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        var content = File.ReadAllText(Path.Combine(Repo.Chart, action.Groups[1].Value));
        // "{{-" trims the newline before it; nindent puts one back. The file itself is not templated.
        var rendered = string.Join('\n', content.Split('\n').Select(l => pad + l));
        var text = Templates.ToSkeleton(lines.Take(index)) + "\n" + rendered + "\n" + Templates.ToSkeleton(lines.Skip(index + 1));
        return Yaml.Parse(text).AsObject();
    }
}
