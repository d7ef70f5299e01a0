using Celeriac.Registry;

namespace Celeriac.Operator.Autoscaling.ScaleIn;

/// <summary>
/// The <c>controller.kubernetes.io/pod-deletion-cost</c> of a worker pod, from its registry entry (docs/autoscaling.md).
/// The ReplicaSet controller removes pods with the lowest cost first, so a scale-in takes idle workers before busy ones:
/// <list type="bullet">
/// <item>a worker that runs nothing, or that the registry does not know (starting, or its entry expired): 0;</item>
/// <item>a busy worker: the number of tasks it runs plus the whole seconds each of them has run so far, summed, which is
/// the work deleting the pod would throw away (at least 1, at most <see cref="int.MaxValue"/>).</item>
/// </list>
/// A pod's worker is the entry whose host is the pod's name (<see cref="WorkerIdentity.Host"/>, from
/// <see cref="WorkerIdentity.PodNameVariable"/>), the newest heartbeat when a restarted container left an older one.
/// </summary>
public static class PodDeletionCost
{
    public const string Annotation = "controller.kubernetes.io/pod-deletion-cost";

    public static int Of(WorkerInfo? worker, DateTimeOffset now)
    {
        if (worker is null || worker.Stopped || worker.InFlightCount <= 0) return 0;
        var seconds = worker.InFlight.Sum(t => Math.Max(0L, (long)(now - t.StartedAt).TotalSeconds));
        return (int)Math.Clamp(worker.InFlightCount + seconds, 1L, int.MaxValue);
    }

    /// <summary>The cost of each pod, by pod name.</summary>
    public static Dictionary<string, int> ForPods(IEnumerable<string> pods, IEnumerable<WorkerInfo> workers, DateTimeOffset now)
    {
        var byHost = workers.GroupBy(w => w.Host, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(w => w.HeartbeatAt), StringComparer.Ordinal);
        return pods.Distinct(StringComparer.Ordinal).ToDictionary(p => p, p => Of(byHost.GetValueOrDefault(p), now), StringComparer.Ordinal);
    }
}
