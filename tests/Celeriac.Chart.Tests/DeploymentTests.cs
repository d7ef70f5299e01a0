using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Celeriac.Chart.Tests;

/// <summary>The chart's Deployment is config/deployment.yaml's: same env, ports, probes, volumes and, by default, security contexts and resources.</summary>
public sealed partial class DeploymentTests
{
    private static JsonObject Config() => Yaml.Parse(Repo.Read("config", "deployment.yaml")).AsObject();

    private static JsonObject Chart() => Templates.SkeletonOf("deployment.yaml", "Deployment");

    private static JsonObject Container(JsonObject deployment) => deployment["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();

    [Fact]
    public void The_container_has_config_name_ports_probes_and_tmp_volume()
    {
        var config = Container(Config());
        var chart = Container(Chart());
        foreach (var field in new[] { "name", "ports", "livenessProbe", "readinessProbe", "volumeMounts" })
            Assert.True(JsonNode.DeepEquals(config[field], chart[field]), $"{field}: config {config[field]?.ToJsonString()} chart {chart[field]?.ToJsonString()}");
        Assert.True(JsonNode.DeepEquals(Config()["spec"]!["template"]!["spec"]!["volumes"], Chart()["spec"]!["template"]!["spec"]!["volumes"]));
        Assert.Equal("/healthz", chart["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal(8081, chart["ports"]![0]!["containerPort"]!.GetValue<long>());
    }

    [Fact]
    public void The_container_has_every_env_variable_of_config()
    {
        var chartEnv = Container(Chart())["env"]!.AsArray();
        foreach (var variable in Container(Config())["env"]!.AsArray())
        {
            var name = variable!["name"]!.GetValue<string>();
            var match = chartEnv.SingleOrDefault(e => e!["name"]!.GetValue<string>() == name);
            Assert.True(match is not null, $"{name} is missing");
            Assert.True(JsonNode.DeepEquals(variable, match), $"{name}: config {variable.ToJsonString()} chart {match!.ToJsonString()}");
        }
    }

    [Fact]
    public void The_default_security_contexts_and_resources_are_config_hardened_ones()
    {
        var values = ChartValues.Values();
        var config = Config();
        Assert.True(JsonNode.DeepEquals(config["spec"]!["template"]!["spec"]!["securityContext"], values["podSecurityContext"]));
        Assert.True(JsonNode.DeepEquals(Container(config)["securityContext"], values["securityContext"]));
        Assert.True(JsonNode.DeepEquals(Container(config)["resources"], values["resources"]));
        Assert.False(values["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.True(values["securityContext"]!["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.Equal(["ALL"], values["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("RuntimeDefault", values["podSecurityContext"]!["seccompProfile"]!["type"]!.GetValue<string>());
        var text = Templates.Text("deployment.yaml");
        Assert.Contains("{{- with .Values.podSecurityContext }}\n      securityContext:\n        {{- toYaml . | nindent 8 }}", text, StringComparison.Ordinal);
        Assert.Contains("{{- with .Values.securityContext }}\n          securityContext:\n            {{- toYaml . | nindent 12 }}", text, StringComparison.Ordinal);
        Assert.Contains("{{- with .Values.resources }}\n          resources:\n            {{- toYaml . | nindent 12 }}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Leader_election_is_on_with_more_than_one_replica_and_then_the_lease_role_exists()
    {
        var helpers = Templates.Text("_helpers.tpl");
        Assert.Contains("{{- if or (gt (int .Values.replicaCount) 1) .Values.leaderElection.alwaysEnabled }}true{{ else }}false{{ end }}", helpers, StringComparison.Ordinal);
        var deployment = Templates.Text("deployment.yaml");
        Assert.StartsWith("{{- $leaderElection := include \"celeriac-operator.leaderElection\" . }}\n", deployment, StringComparison.Ordinal);
        Assert.Contains("- name: Operator__LeaderElection\n              value: {{ $leaderElection | quote }}", deployment, StringComparison.Ordinal);
        // Without an election, a rollout must not run two operators side by side.
        Assert.Contains("{{- if ne $leaderElection \"true\" }}", deployment, StringComparison.Ordinal);
        Assert.Equal("Recreate", Chart()["spec"]!["strategy"]!["type"]!.GetValue<string>());
        Assert.StartsWith("{{- if and .Values.rbac.create (eq (include \"celeriac-operator.leaderElection\" .) \"true\") }}\n", Templates.Text("role.yaml"), StringComparison.Ordinal);
        Assert.True(ChartValues.Values()["replicaCount"]!.GetValue<long>() > 1, "the default install is highly available");
    }

    [Fact]
    public void The_lease_the_operator_uses_is_the_one_the_role_names()
    {
        var leaseName = Container(Chart())["env"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == "Operator__LeaseName")!["value"]!.GetValue<string>();
        var role = Templates.SkeletonOf("role.yaml", "Role");
        Assert.Contains(role["rules"]!.AsArray(), r => r!["resourceNames"] is JsonArray names && names.Any(n => n!.GetValue<string>() == leaseName));
        var options = Repo.Read("operator", "Celeriac.Operator", "Controller", "OperatorOptions.cs");
        Assert.Equal(leaseName, LeaseNameDefault().Match(options).Groups[1].Value);
    }

    [Fact]
    public void The_image_tag_defaults_to_the_app_version()
    {
        Assert.Contains("{{- printf \"%s:%s\" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}", Templates.Text("_helpers.tpl"), StringComparison.Ordinal);
        Assert.Contains("image: {{ include \"celeriac-operator.image\" . | quote }}", Templates.Text("deployment.yaml"), StringComparison.Ordinal);
        Assert.Equal("", ChartValues.Values()["image"]!["tag"]!.GetValue<string>());
    }

    [Fact]
    public void The_metrics_service_targets_the_operator_http_port()
    {
        var service = Templates.SkeletonOf("service.yaml", "Service");
        Assert.Equal("http", service["spec"]!["ports"]![0]!["targetPort"]!.GetValue<string>());
        Assert.Equal(8081, ChartValues.Values()["service"]!["port"]!.GetValue<long>());
        var monitor = Templates.SkeletonOf("servicemonitor.yaml", "ServiceMonitor");
        Assert.Equal("http", monitor["spec"]!["endpoints"]![0]!["port"]!.GetValue<string>());
        Assert.Equal("/metrics", monitor["spec"]!["endpoints"]![0]!["path"]!.GetValue<string>());
    }

    [GeneratedRegex(@"public string LeaseName \{ get; set; \} = ""([^""]+)"";")]
    private static partial Regex LeaseNameDefault();
}
