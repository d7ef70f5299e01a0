using System.Globalization;
using System.Text.Json.Nodes;
using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;
using k8s.Models;

namespace Celeriac.Operator.Controller;

/// <summary>
/// The status the reconciler writes, as a pure function of the spec, the validation errors, the observed
/// Deployments and the previous conditions (whose lastTransitionTime is kept while their status holds).
/// Queue depth and desired replicas are the autoscaler's to write.
/// </summary>
public static class StatusBuilder
{
    public const string Ready = "Ready";
    public const string Reconciled = "Reconciled";
    public const string BrokerReachable = "BrokerReachable";
    public const string Degraded = "Degraded";

    public static TaskQueueStatus Build(TaskQueue queue, IReadOnlyList<string> errors, IReadOnlyDictionary<string, V1Deployment> deploymentsByPool,
        IReadOnlyList<StatusCondition>? previous, DateTimeOffset now)
    {
        var generation = queue.Metadata.Generation;
        var conditions = new List<StatusCondition>();
        void Set(string type, bool? status, string reason, string message) => conditions.Add(Merge(previous, new StatusCondition
        {
            Type = type,
            Status = status switch { true => "True", false => "False", null => "Unknown" },
            ObservedGeneration = generation,
            Reason = reason,
            Message = message,
        }, now));

        if (errors.Count > 0)
        {
            var message = string.Join("; ", errors);
            Set(Ready, false, "InvalidSpec", "the spec is invalid; the previous objects are left as they were");
            Set(Reconciled, false, "InvalidSpec", message);
            Set(BrokerReachable, null, "InvalidSpec", "not checked while the spec is invalid");
            Set(Degraded, true, "InvalidSpec", message);
            return new TaskQueueStatus { ObservedGeneration = generation, Conditions = conditions };
        }

        var pools = new List<PoolStatus>();
        var readyPools = 0;
        var totalReplicas = 0;
        var anyReadyWorker = false;
        foreach (var pool in queue.Spec.Pools)
        {
            deploymentsByPool.TryGetValue(pool.Name, out var deployment);
            var status = deployment?.Status;
            var wanted = deployment?.Spec?.Replicas ?? 1;
            var replicas = status?.Replicas ?? 0;
            var ready = status?.ReadyReplicas ?? 0;
            var updated = status?.UpdatedReplicas ?? 0;
            var observed = status?.ObservedGeneration ?? 0;
            var deploymentGeneration = deployment?.Metadata?.Generation ?? 1;
            if (deployment is not null && observed >= deploymentGeneration && ready >= wanted && updated >= wanted) readyPools++;
            if (ready > 0) anyReadyWorker = true;
            totalReplicas += replicas;
            pools.Add(new PoolStatus { Name = pool.Name, Replicas = replicas, ReadyReplicas = ready });
        }
        var allReady = readyPools == queue.Spec.Pools.Count;
        Set(Ready, allReady, allReady ? "AllPoolsReady" : "PoolsNotReady",
            string.Create(CultureInfo.InvariantCulture, $"{readyPools}/{queue.Spec.Pools.Count} pools have all their replicas ready"));
        Set(Reconciled, true, "Applied", string.Create(CultureInfo.InvariantCulture, $"{queue.Spec.Pools.Count} pools applied"));
        // Workers report ready only while they reach the broker (their /readyz), so ready workers prove it.
        Set(BrokerReachable, anyReadyWorker ? true : null, anyReadyWorker ? "WorkersReady" : "NoReadyWorkers",
            anyReadyWorker ? "ready workers reach the broker" : "no worker is ready to tell");
        Set(Degraded, false, "AsExpected", "");
        return new TaskQueueStatus
        {
            ObservedGeneration = generation,
            ReadyPools = string.Create(CultureInfo.InvariantCulture, $"{readyPools}/{queue.Spec.Pools.Count}"),
            Replicas = totalReplicas,
            Conditions = conditions,
            Pools = pools,
        };
    }

    /// <summary>A failed apply: Reconciled=False, the other conditions as they were.</summary>
    public static List<StatusCondition> ApplyFailed(TaskQueue queue, IReadOnlyList<StatusCondition>? previous, string message, DateTimeOffset now)
    {
        var conditions = previous?.Where(c => c.Type != Reconciled).ToList() ?? [];
        conditions.Add(Merge(previous, new StatusCondition
        {
            Type = Reconciled,
            Status = "False",
            ObservedGeneration = queue.Metadata.Generation,
            Reason = "ApplyFailed",
            Message = message,
        }, now));
        return conditions;
    }

    public static StatusCondition? Find(IReadOnlyList<StatusCondition>? conditions, string type) =>
        conditions?.FirstOrDefault(c => c.Type == type);

    internal static StatusCondition Merge(IReadOnlyList<StatusCondition>? previous, StatusCondition next, DateTimeOffset now)
    {
        var old = Find(previous, next.Type);
        var transition = old is not null && old.Status == next.Status && old.LastTransitionTime.Length > 0
            ? old.LastTransitionTime
            : now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        return next with { LastTransitionTime = transition };
    }

    internal static string PoolOf(JsonObject obj) => obj["metadata"]?["labels"]?[WellKnownLabels.Pool]?.GetValue<string>() ?? "";
}
