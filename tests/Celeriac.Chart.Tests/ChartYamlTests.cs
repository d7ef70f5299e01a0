using System.Text.RegularExpressions;

namespace Celeriac.Chart.Tests;

/// <summary>Chart.yaml, the chart's files and its README's upgrade story.</summary>
public sealed partial class ChartYamlTests
{
    [Fact]
    public void Chart_yaml_is_a_v2_application_chart_with_semver_versions()
    {
        var chart = Yaml.Parse(Repo.ChartFile("Chart.yaml"));
        Assert.Equal("v2", chart["apiVersion"]!.GetValue<string>());
        Assert.Equal("celeriac-operator", chart["name"]!.GetValue<string>());
        Assert.Equal(Path.GetFileName(Repo.Chart), chart["name"]!.GetValue<string>());
        Assert.Equal("application", chart["type"]!.GetValue<string>());
        Assert.Matches(SemVer(), chart["version"]!.GetValue<string>());
        // A string (quoted), as Helm requires of appVersion; it is the default image tag.
        Assert.Matches(SemVer(), chart["appVersion"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(chart["description"]!.GetValue<string>()));
        Assert.StartsWith(">=", chart["kubeVersion"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_chart_has_every_object_the_issue_lists()
    {
        var kinds = Templates.Files().Where(f => f.EndsWith(".yaml", StringComparison.Ordinal))
            .SelectMany(f => Templates.Skeleton(Path.GetFileName(f))).Select(d => d["kind"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        // The operator's Deployment, metrics Service and RBAC, and the web dashboard's (a Role or a ClusterRole).
        Assert.Equal(["ClusterRole", "ClusterRole", "ClusterRoleBinding", "ClusterRoleBinding", "ConfigMap", "Deployment", "Deployment", "PrometheusRule",
            "Role", "Role", "RoleBinding", "RoleBinding", "Service", "Service", "ServiceAccount", "ServiceAccount", "ServiceMonitor"], kinds);
        Assert.True(File.Exists(Path.Combine(Templates.Directory, "NOTES.txt")));
        Assert.True(File.Exists(Path.Combine(Repo.Chart, "values.schema.json")));
    }

    [Fact]
    public void The_readme_and_notes_tell_how_to_upgrade_the_crd()
    {
        var readme = Repo.ChartFile("README.md");
        Assert.Contains("kubectl apply --server-side -f charts/celeriac-operator/crds/celeriac.io_taskqueues.yaml", readme, StringComparison.Ordinal);
        Assert.Contains("never upgrades", readme, StringComparison.Ordinal);
        Assert.Contains("kubectl apply --server-side -f crds/celeriac.io_taskqueues.yaml", Templates.Text("NOTES.txt"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_documents_every_top_level_value()
    {
        var readme = Repo.ChartFile("README.md");
        foreach (var key in ChartValues.Values().Select(p => p.Key))
            Assert.Contains("`" + key, readme, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();
}
