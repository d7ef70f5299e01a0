using System.Text.Json.Nodes;

namespace Celeriac.Chart.Tests;

/// <summary>
/// The web dashboard's objects: off by default, apart from the operator's pods, the dashboard's port, and an identity of
/// its own that may only list TaskQueues (or no API token at all).
/// </summary>
public sealed class WebDashboardTests
{
    private static JsonObject Deployment => Templates.SkeletonOf("web-dashboard.yaml", "Deployment");

    [Fact]
    public void It_is_off_by_default_and_rendered_only_when_enabled()
    {
        Assert.False(ChartValues.Values()["webDashboard"]!["enabled"]!.GetValue<bool>());
        Assert.StartsWith("{{- if .Values.webDashboard.enabled }}", Templates.Text("web-dashboard.yaml"), StringComparison.Ordinal);
        Assert.EndsWith("{{- end }}", Templates.Text("web-dashboard.yaml").TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Its_pods_are_not_selected_by_the_operators_service_or_deployment()
    {
        var labels = Deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        Assert.Equal("web-dashboard", labels["app.kubernetes.io/component"]!.GetValue<string>());
        // The operator selects app.kubernetes.io/name = the chart's name; the dashboard's name has a suffix.
        Assert.Contains("-web-dashboard", Templates.Text("web-dashboard.yaml"), StringComparison.Ordinal);
        Assert.Contains("app.kubernetes.io/name: {{ include \"celeriac-operator.name\" . }}-web-dashboard", Templates.Text("web-dashboard.yaml"), StringComparison.Ordinal);
        var service = Templates.SkeletonOf("web-dashboard.yaml", "Service");
        Assert.True(JsonNode.DeepEquals(service["spec"]!["selector"], Deployment["spec"]!["selector"]!["matchLabels"]));
    }

    [Fact]
    public void It_runs_the_dashboard_on_its_port()
    {
        var spec = Deployment["spec"]!["template"]!["spec"]!.AsObject();
        var container = spec["containers"]![0]!;
        // The skeleton keeps the lines inside an if: --read-only is the conditional last one.
        Assert.Equal(["dashboard", "--urls", "http://0.0.0.0:5555", "--read-only"], container["args"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(5555L, container["ports"]![0]!["containerPort"]!.GetValue<long>());
        Assert.Equal("Celeriac__Dashboard__Token", container["env"]![0]!["name"]!.GetValue<string>());
        Assert.Contains("{{- if .Values.webDashboard.readOnly }}\n            - --read-only", Templates.Text("web-dashboard.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public void Its_identity_may_list_TaskQueues_and_nothing_else_and_without_it_the_pod_has_no_token()
    {
        Assert.True(ChartValues.Values()["webDashboard"]!["listTaskQueues"]!.GetValue<bool>());
        var text = Templates.Text("web-dashboard.yaml");
        // The token is mounted exactly when the service account and its binding are rendered.
        Assert.Contains("automountServiceAccountToken: {{ and .Values.webDashboard.listTaskQueues .Values.rbac.create }}", text, StringComparison.Ordinal);
        Assert.Equal(2, text.Split("{{- if and .Values.webDashboard.listTaskQueues .Values.rbac.create }}").Length - 1);
        var spec = Deployment["spec"]!["template"]!["spec"]!.AsObject();
        var account = spec["serviceAccountName"]!.GetValue<string>();

        var skeleton = Templates.Skeleton("web-dashboard.yaml");
        Assert.Equal(account, skeleton.Single(d => d["kind"]!.GetValue<string>() == "ServiceAccount")["metadata"]!["name"]!.GetValue<string>());
        // Cluster-wide, or in watchNamespace when the operator watches one: the same single rule either way.
        foreach (var (role, binding) in new[] { ("ClusterRole", "ClusterRoleBinding"), ("Role", "RoleBinding") })
        {
            var rules = skeleton.Single(d => d["kind"]!.GetValue<string>() == role);
            var rule = Assert.Single(rules["rules"]!.AsArray())!;
            Assert.Equal(["celeriac.io"], rule["apiGroups"]!.AsArray().Select(g => g!.GetValue<string>()));
            Assert.Equal(["taskqueues"], rule["resources"]!.AsArray().Select(r => r!.GetValue<string>()));
            Assert.Equal(["list"], rule["verbs"]!.AsArray().Select(v => v!.GetValue<string>()));
            var bound = skeleton.Single(d => d["kind"]!.GetValue<string>() == binding);
            Assert.Equal((role, rules["metadata"]!["name"]!.GetValue<string>()), (bound["roleRef"]!["kind"]!.GetValue<string>(), bound["roleRef"]!["name"]!.GetValue<string>()));
            Assert.Equal(account, bound["subjects"]![0]!["name"]!.GetValue<string>());
        }
        // Scoped to the one namespace the operator watches, when it watches one.
        Assert.Contains("name: Celeriac__Dashboard__KubernetesNamespace", text, StringComparison.Ordinal);
    }
}
