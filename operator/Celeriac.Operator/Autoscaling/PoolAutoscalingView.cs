namespace Celeriac.Operator.Autoscaling;

/// <summary>The autoscaler's latest view of one pool, for the TaskQueue's status.</summary>
/// <param name="CurrentReplicas">Pods of the Deployment (its scale status).</param>
/// <param name="DesiredReplicas">The replicas the autoscaler set (its scale spec).</param>
public sealed record PoolAutoscalingView(string Pool, long? QueueDepth, int DesiredReplicas, int CurrentReplicas, DateTimeOffset? LastScaleTime, string? LastScaleReason);

/// <summary>The autoscaler's latest view of one TaskQueue: per pool, and whether its broker answered.</summary>
public sealed record TaskQueueAutoscalingView(IReadOnlyList<PoolAutoscalingView> Pools, bool BrokerReachable, string? BrokerError, long? QueueDepth)
{
    public bool SameAs(TaskQueueAutoscalingView? other) =>
        other is not null && BrokerReachable == other.BrokerReachable && BrokerError == other.BrokerError && QueueDepth == other.QueueDepth
        && Pools.SequenceEqual(other.Pools);

    internal TaskQueueAutoscalingView WithoutDepths() => this with { QueueDepth = null, Pools = [.. Pools.Select(p => p with { QueueDepth = null })] };
}
