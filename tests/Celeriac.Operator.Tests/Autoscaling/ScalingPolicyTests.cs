using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Operator.Autoscaling;
using Celeriac.Operator.Model;
using Celeriac.Operator.Tests.Schema;

namespace Celeriac.Operator.Tests.Autoscaling;

public sealed class ScalingPolicyTests
{
    [Fact]
    public void The_crd_defaults_are_the_policy_defaults()
    {
        // An empty autoscaling object as the API server stores it (CRD defaults applied) reads as the same policy as without them.
        var autoscaling = CrdFile.OpenApiSchema()["properties"]!["spec"]!["properties"]!["pools"]!["items"]!["properties"]!["autoscaling"]!.AsObject();
        var defaulted = new JsonObject();
        SchemaDefaults.Apply(defaulted, autoscaling);
        Assert.Equal(13, defaulted.Count);
        var spec = defaulted.Deserialize<AutoscalingSpec>(ModelJson.Options)!;
        var concurrency = new PoolSpec().Concurrency;
        Assert.Equal(new ScalingPolicy(), ScalingPolicy.From(spec, concurrency));
        Assert.Equal(new ScalingPolicy(), ScalingPolicy.From(new AutoscalingSpec(), concurrency));
        Assert.Equal(AutoscalingSpec.BuiltinEngine, spec.Engine);
    }

    [Fact]
    public void Every_field_is_read()
    {
        var policy = ScalingPolicy.From(new AutoscalingSpec
        {
            MinReplicas = 0, MaxReplicas = 7, TargetDepthPerReplica = 30, ActivationDepth = 4, CountInFlight = false,
            MaxScaleUpStep = 2, PollingInterval = "1500ms", ScaleDownStabilization = "90s",
            Metric = AutoscalingSpec.SlotsMetric, TargetUtilization = 50, TargetQueueWait = "45s", PollingIntervalAtZero = "1s",
            ScaleInBusyWait = "2m",
        }, concurrency: 4);
        Assert.Equal(new ScalingPolicy
        {
            MinReplicas = 0, MaxReplicas = 7, TargetDepthPerReplica = 30, ActivationDepth = 4, CountInFlight = false,
            MaxScaleUpStep = 2, PollingInterval = TimeSpan.FromMilliseconds(1500), ScaleDownStabilization = TimeSpan.FromSeconds(90),
            Metric = ScalingMetric.Slots, Concurrency = 4, TargetUtilization = 50,
            TargetQueueWait = TimeSpan.FromSeconds(45), PollingIntervalAtZero = TimeSpan.FromSeconds(1),
            ScaleInBusyWait = TimeSpan.FromMinutes(2),
        }, policy);
    }
}
