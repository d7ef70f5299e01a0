using Celeriac.Operator.Model;
using Celeriac.Operator.Validation;

namespace Celeriac.Operator.Tests.Autoscaling;

public sealed class AutoscalingValidationTests
{
    [Theory]
    [InlineData("engine", "spec.pools[0].autoscaling.engine: 'hpa' is not one of")]
    [InlineData("polling", "spec.pools[0].autoscaling.pollingInterval: '50ms' is shorter than 100ms")]
    [InlineData("polling text", "spec.pools[0].autoscaling.pollingInterval: 'often' does not match")]
    [InlineData("keda redis connection string", "needs broker.redis.address")]
    [InlineData("wait", "spec.pools[0].autoscaling.targetQueueWait: '500ms' is shorter than 1s")]
    [InlineData("at zero", "spec.pools[0].autoscaling.pollingIntervalAtZero: 'soon' does not match")]
    [InlineData("busy wait", "spec.pools[0].autoscaling.scaleInBusyWait: 'a while' does not match")]
    [InlineData("metric", "spec.pools[0].autoscaling.metric: 'cpu' is not one of")]
    [InlineData("utilization", "spec.pools[0].autoscaling.targetUtilization:")]
    public void Rejects(string what, string expected)
    {
        var queue = TestQueues.Parse();
        var scaling = queue.Spec.Pools[0].Autoscaling = new AutoscalingSpec();
        switch (what)
        {
            case "engine": scaling.Engine = "hpa"; break;
            case "polling": scaling.PollingInterval = "50ms"; break;
            case "polling text": scaling.PollingInterval = "often"; break;
            case "metric": scaling.Metric = "cpu"; break;
            case "wait": scaling.TargetQueueWait = "500ms"; break;
            case "at zero": scaling.PollingIntervalAtZero = "soon"; break;
            case "busy wait": scaling.ScaleInBusyWait = "a while"; break;
            case "utilization": scaling.TargetUtilization = 120; break;
            case "keda redis connection string":
                scaling.Engine = AutoscalingSpec.KedaEngine;
                queue.Spec.Broker = new BrokerSpec { Redis = new RedisBrokerSpec { ConnectionStringSecretRef = new SecretKeyRef { Name = "redis", Key = "url" } } };
                break;
        }
        Assert.Contains(TaskQueueValidator.Validate(queue), e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Accepts_every_field_set()
    {
        var queue = TestQueues.Parse();
        queue.Spec.Pools[0].Autoscaling = new AutoscalingSpec
        {
            Engine = AutoscalingSpec.KedaEngine, MinReplicas = 0, MaxReplicas = 4, TargetDepthPerReplica = 10, PollingInterval = "100ms",
            ActivationDepth = 2, CountInFlight = false, MaxScaleUpStep = 1, ScaleDownStabilization = "30s",
            Metric = AutoscalingSpec.SlotsMetric, TargetUtilization = 100, TargetQueueWait = "30s", PollingIntervalAtZero = "500ms",
            ScaleInBusyWait = "0s",
        };
        Assert.Empty(TaskQueueValidator.Validate(queue));
    }
}
