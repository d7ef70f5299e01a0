using System.Globalization;
using Celeriac.Operator.Controller;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Autoscaling;

/// <summary>Adds the autoscaler's view to the status the reconciler writes: per pool depth, desired and current replicas, last scale; BrokerReachable from the depth reads.</summary>
public static class AutoscalingStatus
{
    public static void Apply(TaskQueueStatus status, TaskQueueAutoscalingView? view, IReadOnlyList<StatusCondition>? previous, long? generation, DateTimeOffset now)
    {
        if (view is null) return;
        foreach (var pool in status.Pools ?? [])
        {
            if (view.Pools.FirstOrDefault(p => p.Pool == pool.Name) is not { } seen) continue;
            pool.QueueDepth = seen.QueueDepth;
            pool.DesiredReplicas = seen.DesiredReplicas;
            pool.CurrentReplicas = seen.CurrentReplicas;
            pool.LastScaleTime = seen.LastScaleTime?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            pool.LastScaleReason = seen.LastScaleReason is { Length: > 1024 } longer ? longer[..1024] : seen.LastScaleReason;
        }
        status.QueueDepth = view.QueueDepth;
        var reachable = StatusBuilder.Merge(previous, new StatusCondition
        {
            Type = StatusBuilder.BrokerReachable,
            Status = view.BrokerReachable ? "True" : "False",
            ObservedGeneration = generation,
            Reason = view.BrokerReachable ? "DepthRead" : "BrokerUnreachable",
            Message = view.BrokerReachable ? "the autoscaler reads the queue depth" : $"the queue depth could not be read (replicas kept): {view.BrokerError}",
        }, now);
        status.Conditions = status.Conditions?.Any(c => c.Type == StatusBuilder.BrokerReachable) == true
            ? [.. status.Conditions.Select(c => c.Type == StatusBuilder.BrokerReachable ? reachable : c)]
            : [.. status.Conditions ?? [], reachable];
    }
}
