namespace Celeriac.Operator.Autoscaling;

/// <summary>The autoscaler's latest view of one pool, for the TaskQueue's status.</summary>
/// <param name="CurrentReplicas">Pods of the Deployment (its scale status).</param>
/// <param name="DesiredReplicas">The replicas the autoscaler set (its scale spec).</param>
public sealed record PoolAutoscalingView(string Pool, long? QueueDepth, int DesiredReplicas, int CurrentReplicas, DateTimeOffset? LastScaleTime, string? LastScaleReason)
{
    /// <summary>The scale-in that waits for busy workers; null when none waits.</summary>
    public BusyWaitView? BusyWait { get; init; }
}

/// <summary>A scale-in of a pool from <paramref name="From"/> to <paramref name="To"/> replicas that has waited since <paramref name="Since"/> for busy workers, for at most <paramref name="Limit"/>.</summary>
public sealed record BusyWaitView(DateTimeOffset Since, int From, int To, TimeSpan Limit);

/// <summary>The autoscaler's latest view of one TaskQueue: per pool, and whether its broker answered.</summary>
public sealed record TaskQueueAutoscalingView(IReadOnlyList<PoolAutoscalingView> Pools, bool BrokerReachable, string? BrokerError, long? QueueDepth)
{
    /// <summary>Whether the last scale-in could put idle workers first: null before any scale-in, empty when it could, else what kept it from it.</summary>
    public string? IdleFirst { get; init; }

    public bool SameAs(TaskQueueAutoscalingView? other) =>
        other is not null && BrokerReachable == other.BrokerReachable && BrokerError == other.BrokerError && QueueDepth == other.QueueDepth
        && IdleFirst == other.IdleFirst && Pools.SequenceEqual(other.Pools);

    internal TaskQueueAutoscalingView WithoutDepths() => this with { QueueDepth = null, Pools = [.. Pools.Select(p => p with { QueueDepth = null })] };
}
