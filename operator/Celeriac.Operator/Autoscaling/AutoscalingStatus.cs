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
        Put(status, reachable);

        if (view.IdleFirst is { } idleFirst)
        {
            Put(status, StatusBuilder.Merge(previous, new StatusCondition
            {
                Type = IdleFirstScaleIn,
                Status = idleFirst.Length == 0 ? "True" : "False",
                ObservedGeneration = generation,
                Reason = idleFirst.Length == 0 ? "PodsMarked" : "WorkersUnknown",
                Message = idleFirst.Length == 0
                    ? "the last scale-in marked the pods with their pod-deletion-cost from the worker registry, so idle workers go first"
                    : $"the last scale-in removes pods as the Deployment controller picks them: {idleFirst}",
            }, now));
        }

        var waits = view.Pools.Where(p => p.BusyWait is not null).ToList();
        if (waits.Count > 0 || previous?.Any(c => c.Type == ScaleInWaiting) == true)
        {
            Put(status, StatusBuilder.Merge(previous, new StatusCondition
            {
                Type = ScaleInWaiting,
                Status = waits.Count > 0 ? "True" : "False",
                ObservedGeneration = generation,
                Reason = waits.Count > 0 ? "BusyWorkers" : "NotWaiting",
                Message = waits.Count > 0
                    ? string.Join("; ", waits.Select(p => string.Create(CultureInfo.InvariantCulture,
                        $"pool {p.Pool}: the scale-in to {p.BusyWait!.To} replicas waits for busy workers since {p.BusyWait.Since.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} (at most {KubeDuration.Format(p.BusyWait.Limit)}), at {p.DesiredReplicas} now")))
                    : "no scale-in waits for busy workers",
            }, now));
        }
    }

    public const string IdleFirstScaleIn = "IdleFirstScaleIn";
    public const string ScaleInWaiting = "ScaleInWaiting";

    private static void Put(TaskQueueStatus status, StatusCondition condition) =>
        status.Conditions = status.Conditions?.Any(c => c.Type == condition.Type) == true
            ? [.. status.Conditions.Select(c => c.Type == condition.Type ? condition : c)]
            : [.. status.Conditions ?? [], condition];

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
