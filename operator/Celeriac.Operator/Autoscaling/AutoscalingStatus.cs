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

    public const string Autoscaling = "Autoscaling";

    /// <summary>The Autoscaling condition, on TaskQueues with autoscaled pools: which engine scales them, and whether keda mode can work here.</summary>
    public static void ApplyKeda(TaskQueueStatus status, TaskQueue queue, bool kedaServed, IReadOnlyList<StatusCondition>? previous, DateTimeOffset now)
    {
        var scaled = queue.Spec.Pools.Where(p => p.Autoscaling is not null).ToList();
        if (scaled.Count == 0) return;
        var keda = scaled.Where(Keda.ScaledObjectRenderer.UsesKeda).Select(p => p.Name).ToList();
        var (ok, reason, message) = keda.Count == 0
            ? (true, "Builtin", "the operator scales the pools on queue depth")
            : kedaServed
                ? (true, "ScaledObjectsApplied", $"KEDA scales pools {string.Join(", ", keda)} through their ScaledObjects")
                : (false, "KedaNotInstalled", $"pools {string.Join(", ", keda)} use autoscaling.engine keda but the cluster does not serve keda.sh/v1alpha1 ScaledObjects; they are not scaled");
        var condition = StatusBuilder.Merge(previous, new StatusCondition
        {
            Type = Autoscaling,
            Status = ok ? "True" : "False",
            ObservedGeneration = queue.Metadata.Generation,
            Reason = reason,
            Message = message,
        }, now);
        status.Conditions = [.. (status.Conditions ?? []).Where(c => c.Type != Autoscaling), condition];
    }
}
