using System.Diagnostics;
using System.Text.Json.Nodes;
using Celeriac.Observability;
using Celeriac.Operator.Autoscaling;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Rendering;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Celeriac.Operator.Controller;

/// <summary>
/// Drives the reconciler while this instance leads: list+watch TaskQueues and the Deployments the operator
/// manages (resuming from the last resourceVersion or bookmark, relisting on 410 Gone), a periodic resync,
/// workers that reconcile queued keys with per-key backoff on errors, and the scheduler.
/// </summary>
public sealed class TaskQueueController(
    IKubernetesClient client,
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
        var queue = new WorkQueue(time, options.BackoffBase, options.BackoffMax);
        var known = new HashSet<string>(StringComparer.Ordinal);
        var knownGate = new Lock();
        void Enqueue(string key)
        {
            lock (knownGate) known.Add(key);
            queue.Add(key);
        }

        var tasks = new List<Task>
        {
            WatchLoopAsync(ResourceTypes.TaskQueues, null, obj => Key(obj["metadata"]?["namespace"], obj["metadata"]?["name"]), Enqueue, cancellationToken),
            WatchLoopAsync(ResourceTypes.Deployments, $"{WellKnownLabels.ManagedBy}={WellKnownLabels.OperatorName}",
                obj => Key(obj["metadata"]?["namespace"], obj["metadata"]?["labels"]?[WellKnownLabels.TaskQueue]), Enqueue, cancellationToken),
            ResyncLoopAsync(() => { lock (knownGate) return [.. known]; }, queue, cancellationToken),
        };
        void Forget(string key)
        {
            lock (knownGate) known.Remove(key);
        }
        for (var i = 0; i < Math.Max(1, options.Workers); i++) tasks.Add(WorkerAsync(queue, Forget, cancellationToken));
        // Only the leader scales: the autoscaler lives and dies with the leadership term.
        if (autoscaler is not null) tasks.Add(autoscaler.RunAsync(() => { lock (knownGate) return [.. known]; }, queue.Add, cancellationToken));
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

    private async Task WatchLoopAsync(ResourceType type, string? selector, Func<JsonObject, string?> keyOf, Action<string> enqueue, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await client.ListAsync(type, options.WatchNamespace, selector, cancellationToken).ConfigureAwait(false);
                foreach (var item in list.Items) if (keyOf(item) is { } key) enqueue(key);
                Healthy = true;
                var version = list.ResourceVersion;
                while (!cancellationToken.IsCancellationRequested)
                {
                    await foreach (var ev in client.WatchAsync(type, options.WatchNamespace, version, selector, cancellationToken).ConfigureAwait(false))
                    {
                        failures = 0;
                        if (ev.ResourceVersion is { Length: > 0 } rv) version = rv;
                        if (ev.Type != "BOOKMARK" && keyOf(ev.Object) is { } key) enqueue(key);
                    }
                    // The server ended the stream (timeout or dropped connection): resume from the last version seen.
                    metrics.RecordWatchRestart();
                    OperatorLog.WatchRestart(logger, type.Plural, "stream ended");
                }
            }
            catch (KubernetesApiException e) when (e.IsGone)
            {
                metrics.RecordWatchRestart();
                OperatorLog.WatchRestart(logger, type.Plural, "410 Gone: relisting");
            }
            // Anything else (a malformed event, a refused request) must not end the watch for good: back off and relist.
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                failures++;
                metrics.RecordWatchRestart();
                OperatorLog.WatchRestart(logger, type.Plural, e.Message);
                if (failures > 3) Healthy = false;
                var delay = TimeSpan.FromTicks(Math.Min(options.BackoffMax.Ticks, options.BackoffBase.Ticks * (1L << Math.Min(failures, 10))));
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ResyncLoopAsync(Func<string[]> keys, WorkQueue queue, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(options.ResyncPeriod, time, cancellationToken).ConfigureAwait(false);
            foreach (var key in keys()) queue.Add(key);
        }
    }

    private async Task WorkerAsync(WorkQueue queue, Action<string> forgetDeleted, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var key = await queue.TakeAsync(cancellationToken).ConfigureAwait(false);
            var started = Stopwatch.GetTimestamp();
            try
            {
                var slash = key.IndexOf('/', StringComparison.Ordinal);
                var result = await reconciler.ReconcileAsync(key[..slash], key[(slash + 1)..], cancellationToken).ConfigureAwait(false);
                metrics.RecordReconcile(result.Outcome, Stopwatch.GetElapsedTime(started));
                queue.Forget(key);
                if (result == ReconcileResult.Gone) forgetDeleted(key);
                if (result.RequeueAfter is { } after) queue.AddAfter(key, after, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                metrics.RecordReconcile("error", Stopwatch.GetElapsedTime(started));
                var delay = queue.AddRateLimited(key, cancellationToken);
                OperatorLog.ReconcileFailed(logger, e, key, queue.Failures(key), delay);
            }
            finally
            {
                queue.Done(key);
            }
        }
    }

    private static string? Key(JsonNode? ns, JsonNode? name) =>
        ns is null || name is null ? null : $"{ns.GetValue<string>()}/{name.GetValue<string>()}";
}
