using System.Globalization;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Model;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Celeriac.Operator.Autoscaling.ScaleIn;

/// <summary>A pool's running pods and what deleting each would cost (<see cref="PodDeletionCost"/>), as read before a scale-in.</summary>
/// <param name="Costs">By pod name; null when they could not be read (<paramref name="Error"/> says why).</param>
/// <param name="Marked">The pods' current pod-deletion-cost annotations, by pod name.</param>
public sealed record ScaleInPods(IReadOnlyDictionary<string, int>? Costs, IReadOnlyDictionary<string, string?> Marked, string? Error)
{
    /// <summary>
    /// Of <paramref name="replicas"/>, how many run nothing (null when unknown): all but the busy pods, so a replica
    /// whose pod does not exist yet, or has not registered, counts as idle.
    /// </summary>
    public int? IdleOf(int replicas) => Costs is null ? null : Math.Max(0, replicas - Costs.Values.Count(c => c > 0));
}

/// <summary>
/// Idle first on scale-in: before the autoscaler lowers a pool's replicas, it reads the pool's pods and the workers'
/// registry, and marks each pod with <see cref="PodDeletionCost.Annotation"/> (a JSON merge patch of its annotations, only
/// where the value changes), so that the ReplicaSet controller removes idle workers first. Needs <c>pods: list, patch</c>.
/// </summary>
public sealed class IdleFirstScaleIn(IKubernetes client, IWorkerSource workers, TimeProvider time)
{
    public async Task<ScaleInPods> ReadAsync(TaskQueue queue, V1Deployment deployment, CancellationToken cancellationToken)
    {
        var ns = deployment.Metadata.NamespaceProperty;
        IReadOnlyList<V1Pod> pods;
        try
        {
            var selector = string.Join(',', (deployment.Spec?.Selector?.MatchLabels ?? new Dictionary<string, string>())
                .Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Key}={l.Value}")));
            var list = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: cancellationToken).ConfigureAwait(false);
            pods = [.. list.Items.Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Phase is not ("Succeeded" or "Failed"))];
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            return new ScaleInPods(null, new Dictionary<string, string?>(), $"the pool's pods could not be listed: {Explain(e)}");
        }
        var marked = pods.ToDictionary(p => p.Metadata.Name, p => p.Metadata.Annotations is { } annotations && annotations.TryGetValue(PodDeletionCost.Annotation, out var value) ? value : null, StringComparer.Ordinal);
        try
        {
            var entries = await workers.ListAsync(queue, cancellationToken).ConfigureAwait(false);
            return new ScaleInPods(PodDeletionCost.ForPods(marked.Keys, entries, time.GetUtcNow()), marked, null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            return new ScaleInPods(null, marked, $"the worker registry could not be read: {Explain(e)}");
        }
    }

    /// <summary>Writes the costs to the pods whose annotation differs; returns null, or what failed.</summary>
    public async Task<string?> MarkAsync(string ns, ScaleInPods pods, CancellationToken cancellationToken)
    {
        if (pods.Costs is null) return pods.Error;
        var failed = new List<string>();
        foreach (var (pod, cost) in pods.Costs)
        {
            var value = cost.ToString(CultureInfo.InvariantCulture);
            if (pods.Marked.GetValueOrDefault(pod) == value) continue;
            var patch = new V1Patch(new { metadata = new { annotations = new Dictionary<string, string> { [PodDeletionCost.Annotation] = value } } }, V1Patch.PatchType.MergePatch);
            try
            {
                await client.CoreV1.PatchNamespacedPodAsync(patch, pod, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.IsNotFound())
            {
                // Gone since the list: nothing to mark.
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                failed.Add($"{pod}: {Explain(e)}");
            }
        }
        return failed.Count == 0 ? null : $"pods could not be marked ({string.Join("; ", failed)})";
    }

    private static string Explain(Exception e) => e is HttpOperationException http ? http.Describe() : e.Message;
}
