using System.Text.Json.Nodes;
using Celeriac.Operator.Autoscaling;
using Celeriac.Operator.Controller;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Tests.Autoscaling;

/// <summary>The autoscaler's view in the status the reconciler writes (pure).</summary>
public sealed class AutoscalingStatusTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static TaskQueueStatus Built(TaskQueue queue, IReadOnlyList<StatusCondition>? previous = null) =>
        StatusBuilder.Build(queue, [], new Dictionary<string, k8s.Models.V1Deployment>(), previous, Now);

    [Fact]
    public void Pool_depth_replicas_and_last_scale_come_from_the_view()
    {
        var queue = TestQueues.Parse();
        var status = Built(queue);
        var view = new TaskQueueAutoscalingView(
            [new PoolAutoscalingView("general", 640, 7, 6, Now.AddMinutes(-1), "ScaleUp: depth 640 ...")], BrokerReachable: true, BrokerError: null, QueueDepth: 700);
        AutoscalingStatus.Apply(status, view, previous: null, generation: 3, Now);

        var general = status.Pools!.Single(p => p.Name == "general");
        Assert.Equal(640, general.QueueDepth);
        Assert.Equal(7, general.DesiredReplicas);
        Assert.Equal(6, general.CurrentReplicas);
        Assert.Equal("2026-11-21T09:59:00Z", general.LastScaleTime);
        Assert.Equal("ScaleUp: depth 640 ...", general.LastScaleReason);
        Assert.Null(status.Pools!.Single(p => p.Name == "urgent").DesiredReplicas);
        Assert.Equal(700, status.QueueDepth);
        var reachable = StatusBuilder.Find(status.Conditions, StatusBuilder.BrokerReachable)!;
        Assert.Equal(("True", "DepthRead"), (reachable.Status, reachable.Reason));
        // Replaced where it was, not appended.
        Assert.Equal(Built(queue).Conditions!.Select(c => c.Type), status.Conditions!.Select(c => c.Type));
    }

    [Fact]
    public void An_unreachable_broker_is_false_with_the_error_and_keeps_its_transition_time()
    {
        var queue = TestQueues.Parse();
        var view = new TaskQueueAutoscalingView([], BrokerReachable: false, BrokerError: "connection refused", QueueDepth: null);
        var first = Built(queue);
        AutoscalingStatus.Apply(first, view, previous: null, generation: 3, Now);
        var condition = StatusBuilder.Find(first.Conditions, StatusBuilder.BrokerReachable)!;
        Assert.Equal(("False", "BrokerUnreachable"), (condition.Status, condition.Reason));
        Assert.Contains("connection refused", condition.Message, StringComparison.Ordinal);

        var later = StatusBuilder.Build(queue, [], new Dictionary<string, k8s.Models.V1Deployment>(), first.Conditions, Now.AddMinutes(5));
        AutoscalingStatus.Apply(later, view, first.Conditions, generation: 3, Now.AddMinutes(5));
        Assert.Equal(condition.LastTransitionTime, StatusBuilder.Find(later.Conditions, StatusBuilder.BrokerReachable)!.LastTransitionTime);
    }

    [Fact]
    public void The_autoscaling_condition_names_the_engine_and_a_missing_keda()
    {
        var queue = TestQueues.Parse();
        var none = Built(queue);
        AutoscalingStatus.ApplyKeda(none, queue, kedaServed: false, previous: null, Now);
        Assert.Null(StatusBuilder.Find(none.Conditions, AutoscalingStatus.Autoscaling));

        queue.Spec.Pools[0].Autoscaling = new AutoscalingSpec();
        queue.Spec.Pools[1].Autoscaling = new AutoscalingSpec { Engine = AutoscalingSpec.KedaEngine };
        var missing = Built(queue);
        AutoscalingStatus.ApplyKeda(missing, queue, kedaServed: false, previous: null, Now);
        var condition = StatusBuilder.Find(missing.Conditions, AutoscalingStatus.Autoscaling)!;
        Assert.Equal(("False", "KedaNotInstalled"), (condition.Status, condition.Reason));
        Assert.Contains("pools urgent use autoscaling.engine keda", condition.Message, StringComparison.Ordinal);

        var served = Built(queue);
        AutoscalingStatus.ApplyKeda(served, queue, kedaServed: true, previous: null, Now);
        Assert.Equal("ScaledObjectsApplied", StatusBuilder.Find(served.Conditions, AutoscalingStatus.Autoscaling)!.Reason);

        queue.Spec.Pools[1].Autoscaling = null;
        var builtin = Built(queue);
        AutoscalingStatus.ApplyKeda(builtin, queue, kedaServed: false, previous: null, Now);
        Assert.Equal(("True", "Builtin"), (StatusBuilder.Find(builtin.Conditions, AutoscalingStatus.Autoscaling)!.Status, StatusBuilder.Find(builtin.Conditions, AutoscalingStatus.Autoscaling)!.Reason));
    }
}
