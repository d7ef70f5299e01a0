using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Operator.Autoscaling;
using Celeriac.Operator.Autoscaling.Keda;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Celeriac.Operator.Controller;

/// <summary>
/// One level-triggered pass over a TaskQueue: take it from the <see cref="TaskQueueCache"/> (read and validated there),
/// compute the desired objects (pure), apply them with
/// server-side apply, delete the objects of removed pools, write the status. Idempotent: a second pass
/// with nothing changed applies the same objects and writes the same status.
/// </summary>
public sealed class TaskQueueReconciler(IKubernetes client, TaskQueueCache cache, OperatorOptions options, EventRecorder events, TimeProvider time, ILogger<TaskQueueReconciler> logger,
    AutoscalingViews? autoscaling = null)
{
    private static readonly ImmutableArray<ResourceType> OwnedTypes =
        [ResourceTypes.Deployments, ResourceTypes.PodDisruptionBudgets, ResourceTypes.Services];

    public async Task<ReconcileResult> ReconcileAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        var (ns, name) = key;
        // Deleted: the API server's garbage collector removes the owned objects through their ownerReferences.
        if (cache.Get(key) is not { IsDeleting: false } cached) return ReconcileResult.Gone;
        var (obj, queue, errors) = (cached.Object, cached.Queue, cached.Errors);
        var previous = cache.WrittenConditions(key) ?? ReadConditions(obj);

        if (errors.Count > 0)
        {
            var message = string.Join("; ", errors);
            OperatorLog.InvalidSpec(logger, ns, name, message);
            var degraded = StatusBuilder.Find(previous, StatusBuilder.Degraded);
            // One Event per distinct problem, not one per resync.
            if (degraded is not { Status: "True" } || degraded.Message != message || degraded.ObservedGeneration != queue.Metadata.Generation)
                await events.RecordAsync(obj, EventRecorder.Warning, "InvalidSpec", message, cancellationToken).ConfigureAwait(false);
            var invalid = StatusBuilder.Build(queue, errors, new Dictionary<string, V1Deployment>(), previous, time.GetUtcNow());
            await WriteStatusAsync(queue, invalid, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Invalid;
        }

        try
        {
            var renderOptions = new RenderOptions
            {
                ServiceMonitors = await client.IsServedAsync(ResourceTypes.ServiceMonitors, cancellationToken).ConfigureAwait(false),
            };
            var desired = TaskQueueRenderer.Render(queue, renderOptions);
            // keda.sh is looked up whenever it may hold objects to add or to remove (a pool switched back to builtin).
            var keda = await client.IsServedAsync(ResourceTypes.ScaledObjects, cancellationToken).ConfigureAwait(false);
            if (keda) desired = [.. desired, .. ScaledObjectRenderer.Render(queue)];
            var deployments = new Dictionary<string, V1Deployment>(StringComparer.Ordinal);
            foreach (var item in desired)
            {
                var applied = await client.ApplyAsync(item, options.FieldManager, cancellationToken).ConfigureAwait(false);
                if (applied is V1Deployment deployment) deployments[StatusBuilder.PoolOf(item)] = deployment;
            }
            var deleted = await DeleteRemovedAsync(queue, desired, renderOptions.ServiceMonitors, keda, cancellationToken).ConfigureAwait(false);
            OperatorLog.Reconciled(logger, ns, name, desired.Count, deleted);

            var status = StatusBuilder.Build(queue, [], deployments, previous, time.GetUtcNow());
            AutoscalingStatus.Apply(status, autoscaling?.Get(key), previous, queue.Metadata.Generation, time.GetUtcNow());
            AutoscalingStatus.ApplyKeda(status, queue, keda, previous, time.GetUtcNow());
            await WriteStatusAsync(queue, status, cancellationToken).ConfigureAwait(false);
            var ready = StatusBuilder.Find(status.Conditions, StatusBuilder.Ready)?.Status == "True";
            return new ReconcileResult("success", ready ? null : options.NotReadyRequeue);
        }
        catch (HttpOperationException e) when (e.StatusCode() is 400 or 403 or 422)
        {
            // The API server refuses what we render (a quota, an admission webhook, RBAC): tell the user, then retry with backoff.
            var message = e.Describe();
            await events.RecordAsync(obj, EventRecorder.Warning, "ApplyFailed", message, cancellationToken).ConfigureAwait(false);
            await TryWriteApplyFailedAsync(queue, previous, message, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<int> DeleteRemovedAsync(TaskQueue queue, IReadOnlyList<JsonObject> desired, bool serviceMonitors, bool keda, CancellationToken cancellationToken)
    {
        var keep = desired.Select(d => (d["kind"]!.GetValue<string>(), d["metadata"]!["name"]!.GetValue<string>())).ToHashSet();
        var selector = $"{WellKnownLabels.TaskQueue}={queue.Metadata.Name},{WellKnownLabels.ManagedBy}={WellKnownLabels.OperatorName}";
        var ns = queue.Metadata.Namespace ?? "default";
        var deleted = 0;
        var types = serviceMonitors ? OwnedTypes.Add(ResourceTypes.ServiceMonitors) : OwnedTypes;
        if (keda) types = types.AddRange(ResourceTypes.ScaledObjects, ResourceTypes.TriggerAuthentications);
        foreach (var type in types)
        {
            foreach (var item in await client.ListMetadataAsync(type, ns, selector, cancellationToken).ConfigureAwait(false))
            {
                var itemName = item.Metadata.Name;
                if (keep.Contains((type.Kind, itemName)) || !OwnedBy(item, queue.Metadata.Uid)) continue;
                if (await client.DeleteAsync(type, ns, itemName, item.Metadata.Uid, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                    OperatorLog.DeletedObject(logger, type.Kind, ns, itemName);
                }
            }
        }
        return deleted;
    }

    private static bool OwnedBy(PartialObjectMetadata item, string? uid) =>
        uid is not null && (item.Metadata.OwnerReferences?.Any(r => r.Uid == uid) ?? false);

    private async Task WriteStatusAsync(TaskQueue queue, TaskQueueStatus status, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = TaskQueue.ApiVersionValue,
            ["kind"] = TaskQueue.KindValue,
            ["metadata"] = new JsonObject { ["name"] = queue.Metadata.Name, ["namespace"] = queue.Metadata.Namespace },
            ["status"] = ModelJson.ToNode(status),
        };
        await client.ApplyStatusAsync(ResourceTypes.TaskQueues, body, options.FieldManager, cancellationToken).ConfigureAwait(false);
        cache.RememberWrittenConditions(NamespacedName.Of(queue), status.Conditions);
    }

    private async Task TryWriteApplyFailedAsync(TaskQueue queue, IReadOnlyList<StatusCondition>? previous, string message, CancellationToken cancellationToken)
    {
        try
        {
            var status = new TaskQueueStatus
            {
                ObservedGeneration = queue.Metadata.Generation,
                Conditions = StatusBuilder.ApplyFailed(queue, previous, message, time.GetUtcNow()),
            };
            await WriteStatusAsync(queue, status, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            // The original error is what matters; the retry will write the status.
        }
    }

    private static List<StatusCondition>? ReadConditions(JsonObject obj)
    {
        try
        {
            return obj["status"]?["conditions"]?.Deserialize<List<StatusCondition>>(ModelJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
