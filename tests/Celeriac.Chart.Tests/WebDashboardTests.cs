using System.Text.Json.Nodes;

namespace Celeriac.Chart.Tests;

/// <summary>The web dashboard's objects: off by default, apart from the operator's pods, no API token, the dashboard's port.</summary>
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
    public void It_runs_the_dashboard_on_its_port_without_an_api_token()
    {
        var spec = Deployment["spec"]!["template"]!["spec"]!.AsObject();
        Assert.False(spec["automountServiceAccountToken"]!.GetValue<bool>());
        var container = spec["containers"]![0]!;
        // The skeleton keeps the lines inside an if: --read-only is the conditional last one.
        Assert.Equal(["dashboard", "--urls", "http://0.0.0.0:5555", "--read-only"], container["args"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(5555L, container["ports"]![0]!["containerPort"]!.GetValue<long>());
        Assert.Equal("Celeriac__Dashboard__Token", container["env"]![0]!["name"]!.GetValue<string>());
        Assert.Contains("{{- if .Values.webDashboard.readOnly }}\n            - --read-only", Templates.Text("web-dashboard.yaml"), StringComparison.Ordinal);
    }
}
