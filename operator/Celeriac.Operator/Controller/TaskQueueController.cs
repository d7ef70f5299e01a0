using System.Diagnostics;
using Celeriac.Observability;
using Celeriac.Operator.Autoscaling;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Celeriac.Operator.Controller;

/// <summary>
/// Drives the reconciler while this instance leads: list+watch TaskQueues (into the <see cref="TaskQueueCache"/> the
/// reconciler, the autoscaler and the scheduler read) and the Deployments the operator manages (resuming from the last
/// resourceVersion or bookmark, relisting on 410 Gone), a periodic resync, workers that reconcile queued keys with
/// per-key backoff on errors, the autoscaler and the scheduler.
/// </summary>
public sealed class TaskQueueController(
    IKubernetes client,
    TaskQueueCache cache,
    TaskQueueReconciler reconciler,
    LeaderElector? elector,
    OperatorOptions options,
    OperatorMetrics metrics,
    TimeProvider time,
    ILogger<TaskQueueController> logger,
    QueueDepthAutoscaler? autoscaler = null,
    Scheduling.TaskQueueScheduler? scheduler = null) : BackgroundService
{
    public bool IsLeading { get; private set; }

    /// <summary>True once the watches have listed at least once (or while not leading): for /healthz.</summary>
    public bool Healthy { get; private set; } = true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (elector is null)
            {
                metrics.SetLeader(true);
                IsLeading = true;
                await RunLeadingAsync(stoppingToken).ConfigureAwait(false);
            }
            else
            {
                await elector.RunAsync(RunLeadingAsync, leading => { IsLeading = leading; metrics.SetLeader(leading); }, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunLeadingAsync(CancellationToken cancellationToken)
    {
        var queue = new WorkQueue<NamespacedName>(time, options.BackoffBase, options.BackoffMax);
        cache.Clear();

        var managed = $"{WellKnownLabels.ManagedBy}={WellKnownLabels.OperatorName}";
        var tasks = new List<Task>
        {
            WatchLoopAsync(ResourceTypes.TaskQueues.Plural, async ct =>
                {
                    var (items, version) = await client.ListAsync(ResourceTypes.TaskQueues, options.WatchNamespace, null, ct).ConfigureAwait(false);
                    cache.Replace(items);
                    return ([.. items.Select(NamespacedName.Of)], version);
                },
                (version, ct) => client.WatchAsync(ResourceTypes.TaskQueues, options.WatchNamespace, version, null, options.WatchTimeout, ct)
                    .Select(e =>
                    {
                        if (e.Type != WatchEventType.Bookmark) cache.Apply(e.Type == WatchEventType.Deleted, e.Object);
                        return (e.Type, NamespacedName.Of(e.Object), e.Object["metadata"]?["resourceVersion"]?.GetValue<string>());
                    }),
                queue.Add, cancellationToken),
            WatchLoopAsync(ResourceTypes.Deployments.Plural, async ct =>
                {
                    var list = options.WatchNamespace is { } ns
                        ? await client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: managed, cancellationToken: ct).ConfigureAwait(false)
                        : await client.AppsV1.ListDeploymentForAllNamespacesAsync(labelSelector: managed, cancellationToken: ct).ConfigureAwait(false);
                    return ([.. list.Items.Select(DeploymentKey)], list.Metadata?.ResourceVersion ?? "");
                },
                (version, ct) => WatchDeployments(managed, version, ct).Select(e => (e.Item1, DeploymentKey(e.Item2), e.Item2?.Metadata?.ResourceVersion)),
                queue.Add, cancellationToken),
            ResyncLoopAsync(queue, cancellationToken),
        };
        for (var i = 0; i < Math.Max(1, options.Workers); i++) tasks.Add(WorkerAsync(queue, cancellationToken));
        // Only the leader scales: the autoscaler lives and dies with the leadership term.
        if (autoscaler is not null) tasks.Add(autoscaler.RunAsync(queue.Add, cancellationToken));
        // Schedules are enqueued only by the leader, so two operators never enqueue the same run.
        if (scheduler is not null) tasks.Add(scheduler.RunAsync(cancellationToken));
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private IAsyncEnumerable<(WatchEventType, V1Deployment)> WatchDeployments(string selector, string version, CancellationToken cancellationToken)
    {
        var seconds = (int)options.WatchTimeout.TotalSeconds;
        return options.WatchNamespace is { } ns
            ? client.AppsV1.WatchListNamespacedDeploymentAsync(ns, allowWatchBookmarks: true, labelSelector: selector, resourceVersion: version,
                timeoutSeconds: seconds, onError: KubernetesObjects.Rethrow, cancellationToken: cancellationToken)
            : client.AppsV1.WatchListDeploymentForAllNamespacesAsync(allowWatchBookmarks: true, labelSelector: selector, resourceVersion: version,
                timeoutSeconds: seconds, onError: KubernetesObjects.Rethrow, cancellationToken: cancellationToken);
    }

    /// <param name="list">The keys of every object, and the resourceVersion to watch from.</param>
    /// <param name="watch">Changes after a resourceVersion: the event type, the key (null when the object names no TaskQueue) and the object's resourceVersion.</param>
    private async Task WatchLoopAsync(string resource,
        Func<CancellationToken, Task<(IReadOnlyList<NamespacedName?> Keys, string ResourceVersion)>> list,
        Func<string, CancellationToken, IAsyncEnumerable<(WatchEventType Type, NamespacedName? Key, string? ResourceVersion)>> watch,
        Action<NamespacedName> enqueue, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var (keys, version) = await list(cancellationToken).ConfigureAwait(false);
                foreach (var key in keys) if (key is { } k) enqueue(k);
                Healthy = true;
                while (!cancellationToken.IsCancellationRequested)
                {
                    var received = false;
                    try
                    {
                        await foreach (var (type, key, resourceVersion) in watch(version, cancellationToken).ConfigureAwait(false))
                        {
                            received = true;
                            failures = 0;
                            if (resourceVersion is { Length: > 0 }) version = resourceVersion;
                            if (type != WatchEventType.Bookmark && key is { } k) enqueue(k);
                        }
                        // The server ended the stream (its timeoutSeconds): resume from the last version seen.
                        OperatorLog.WatchRestart(logger, resource, "stream ended");
                    }
                    catch (Exception e) when (received && (e is IOException or HttpRequestException) && !cancellationToken.IsCancellationRequested)
                    {
                        // A watch that was streaming lost its connection: the versions seen are still good, so resume from the last one.
                        // (A watch that cannot connect at all goes to the backoff below.)
                        OperatorLog.WatchRestart(logger, resource, "connection dropped: " + e.Message);
                    }
                    metrics.RecordWatchRestart();
                }
            }
            catch (KubernetesException e) when (e.Status?.Code == 410)
            {
                metrics.RecordWatchRestart();
                OperatorLog.WatchRestart(logger, resource, "410 Gone: relisting");
            }
            // Anything else (a malformed event, a refused request) must not end the watch for good: back off and relist.
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                failures++;
                metrics.RecordWatchRestart();
                OperatorLog.WatchRestart(logger, resource, e.Message);
                if (failures > 3) Healthy = false;
                var delay = Backoff.Exponential(failures, options.BackoffBase, options.BackoffMax);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ResyncLoopAsync(WorkQueue<NamespacedName> queue, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(options.ResyncPeriod, time, cancellationToken).ConfigureAwait(false);
            foreach (var key in cache.Keys) queue.Add(key);
        }
    }

    private async Task WorkerAsync(WorkQueue<NamespacedName> queue, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var key = await queue.TakeAsync(cancellationToken).ConfigureAwait(false);
            var started = Stopwatch.GetTimestamp();
            try
            {
                var result = await reconciler.ReconcileAsync(key, cancellationToken).ConfigureAwait(false);
                metrics.RecordReconcile(result.Outcome, Stopwatch.GetElapsedTime(started));
                queue.Forget(key);
                if (result.RequeueAfter is { } after) queue.AddAfter(key, after, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                metrics.RecordReconcile("error", Stopwatch.GetElapsedTime(started));
                var delay = queue.AddRateLimited(key, cancellationToken);
                OperatorLog.ReconcileFailed(logger, e, key.ToString(), queue.Failures(key), delay);
            }
            finally
            {
                queue.Done(key);
            }
        }
    }

    /// <summary>The TaskQueue a managed Deployment belongs to (its label), in the Deployment's namespace.</summary>
    private static NamespacedName? DeploymentKey(V1Deployment? deployment) =>
        deployment?.Metadata?.NamespaceProperty is { } ns && deployment.Metadata.Labels?.TryGetValue(WellKnownLabels.TaskQueue, out var queue) == true
            ? new NamespacedName(ns, queue)
            : null;
}
