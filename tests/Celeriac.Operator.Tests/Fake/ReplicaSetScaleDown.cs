using System.Globalization;
using k8s;
using k8s.Models;

namespace Celeriac.Operator.Tests.Fake;

/// <summary>
/// Plays the ReplicaSet controller's scale-down for a Deployment's pods, through the API as that controller does, choosing
/// the pods to delete in the order Kubernetes documents ("ReplicaSet: Scaling a ReplicaSet"): pending pods first, then
/// the lower <c>controller.kubernetes.io/pod-deletion-cost</c> (0 when unset), then (one node here, so the per-node rule
/// never decides) the more recently created pod.
/// </summary>
public static class ReplicaSetScaleDown
{
    /// <returns>The names of the pods it deleted, in the order it chose them.</returns>
    public static async Task<IReadOnlyList<string>> RunAsync(IKubernetes client, string ns, string deployment)
    {
        var target = await client.AppsV1.ReadNamespacedDeploymentAsync(deployment, ns);
        var selector = string.Join(',', target.Spec.Selector.MatchLabels.Select(l => $"{l.Key}={l.Value}"));
        var pods = (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector)).Items.Where(p => p.Metadata.DeletionTimestamp is null).ToList();
        var surplus = pods.Count - (target.Spec.Replicas ?? 1);
        if (surplus <= 0) return [];
        var chosen = pods
            .OrderBy(p => p.Status?.Phase == "Pending" ? 0 : 1)
            .ThenBy(Cost)
            .ThenByDescending(p => p.Metadata.CreationTimestamp)
            .Take(surplus)
            .Select(p => p.Metadata.Name)
            .ToList();
        foreach (var name in chosen) await client.CoreV1.DeleteNamespacedPodAsync(name, ns);
        return chosen;
    }

    public static int Cost(V1Pod pod) =>
        pod.Metadata.Annotations?.TryGetValue("controller.kubernetes.io/pod-deletion-cost", out var text) == true
            ? int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
            : 0;
}
