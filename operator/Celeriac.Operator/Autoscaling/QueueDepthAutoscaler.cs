using System.Globalization;
using Celeriac.Brokers;
using Celeriac.Observability;
using Celeriac.Operator.Controller;
using Celeriac.Operator.Kubernetes;
using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Celeriac.Operator.Autoscaling;

/// <summary>
/// The built-in autoscaler, run by the controller while it leads: every TaskQueue of the <see cref="TaskQueueCache"/> with pools on the builtin engine
/// is polled at its pollingInterval (at pollingIntervalAtZero while a pool is at zero replicas, so a first message starts
/// a worker quickly); the depths of the queues its pools serve, and the age of their oldest ready message for pools with
/// a targetQueueWait, are read in parallel; each pool's
/// replicas follow <see cref="ScaleMath"/> through the Deployment's scale subresource, applied with its own field
/// manager so that the reconciler's apply (which leaves spec.replicas out) never fights it. Each scale is an Event;
/// depth and replicas go to the metrics and, through <see cref="AutoscalingViews"/>, to the status the reconciler writes.
/// </summary>
public sealed class QueueDepthAutoscaler(
    IKubernetes client,
    TaskQueueCache cache,
    IQueueDepthSource depths,
    ScaleIn.IdleFirstScaleIn scaleIn,
    AutoscalingViews views,
    EventRecorder events,
    OperatorMetrics metrics,
    TimeProvider time,
    ILogger<QueueDepthAutoscaler> logger)
{
    public const string FieldManager = "celeriac-autoscaler";

    /// <summary>How soon a TaskQueue without builtin pools (or an invalid one) is looked at again.</summary>
    private static readonly TimeSpan IdleRecheck = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinSleep = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMilliseconds(200);

    /// <summary>A depth read gets three polling intervals, and never less than this.</summary>
    private static readonly TimeSpan MinReadTimeout = TimeSpan.FromSeconds(10);

    private sealed class Tracked
    {
        public DateTimeOffset Due { get; set; }
        public Task? Running { get; set; }
        public Dictionary<string, ScalerState> States { get; } = new(StringComparer.Ordinal);
        public bool? Reachable { get; set; }

        /// <summary>Whether a scale-in was prepared yet, and what kept the last one from marking pods (null: nothing).</summary>
        public bool ScaleInTried { get; set; }
        public string? ScaleInError { get; set; }
    }

    /// <param name="requestReconcile">Asks the controller to reconcile a TaskQueue (to write its status).</param>
    public async Task RunAsync(Action<NamespacedName> requestReconcile, CancellationToken cancellationToken)
    {
        // Scaler memory is per leadership term: a new leader starts fresh and waits a full window before scaling down.
        var tracked = new Dictionary<NamespacedName, Tracked>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                var known = cache.Keys.ToHashSet();
                foreach (var (key, entry) in tracked.Where(t => !known.Contains(t.Key) && t.Value.Running is null or { IsCompleted: true }).ToList())
                {
                    tracked.Remove(key);
                    await ForgetAsync(key).ConfigureAwait(false);
                }
                foreach (var key in known)
                {
                    if (!tracked.TryGetValue(key, out var entry)) tracked[key] = entry = new Tracked { Due = now };
                    if (entry.Running is { IsCompleted: false } || entry.Due > now) continue;
                    entry.Running = PollAsync(key, entry, requestReconcile, cancellationToken);
                }
                var next = tracked.Values.Where(t => t.Running is null or { IsCompleted: true }).Select(t => t.Due).DefaultIfEmpty(now + MaxSleep).Min();
                var sleep = next - time.GetUtcNow();
                await Task.Delay(sleep < MinSleep ? MinSleep : sleep > MaxSleep ? MaxSleep : sleep, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var entry in tracked.Values)
            {
                if (entry.Running is { } running)
                {
                    try { await running.ConfigureAwait(false); }
                    catch (OperationCanceledException) { }
                }
            }
            // No longer the leader: the new one exports the depths and replicas; stale series here would double them.
            foreach (var key in tracked.Keys)
            {
                views.Remove(key);
                metrics.Forget(key.Name);
            }
        }
    }

    private async Task PollAsync(NamespacedName key, Tracked entry, Action<NamespacedName> requestReconcile, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        entry.Due = started + IdleRecheck;
        var (ns, name) = key;
        try
        {
            if (cache.Get(key) is not { IsDeleting: false } cached)
            {
                entry.States.Clear();
                await ForgetAsync(key).ConfigureAwait(false);
                return;
            }
            if (!cached.IsValid) return; // The reconciler reports an invalid spec.
            var (obj, queue) = (cached.Object, cached.Queue);

            var pools = queue.Spec.Pools.Where(p => p.Autoscaling is { Engine: AutoscalingSpec.BuiltinEngine }).ToList();
            foreach (var pool in entry.States.Keys.Where(p => pools.All(x => x.Name != p)).ToList()) entry.States.Remove(pool);
            if (pools.Count == 0)
            {
                if (views.Remove(key)) requestReconcile(key);
                return;
            }
            var policies = pools.ToDictionary(p => p.Name, p => ScalingPolicy.From(p), StringComparer.Ordinal);
            entry.Due = started + policies.Values.Min(p => p.PollingInterval);

            var served = pools.SelectMany(p => p.Queues).Distinct(StringComparer.Ordinal).ToList();
            var deploymentsTask = Task.WhenAll(pools.Select(p =>
                client.AppsV1.ReadNamespacedDeploymentAsync(TaskQueueRenderer.ObjectName(queue, p), ns, cancellationToken: cancellationToken).OrNullAsync()));
            var waited = pools.Where(p => policies[p.Name].TargetQueueWait is not null).SelectMany(p => p.Queues).Distinct(StringComparer.Ordinal).ToList();
            IReadOnlyDictionary<string, QueueDepth>? readings = null;
            IReadOnlyDictionary<string, TimeSpan?> ages = new Dictionary<string, TimeSpan?>(StringComparer.Ordinal);
            string? error = null;
            // A broker that hangs counts as unreachable, not as a pool that is never looked at again.
            var readTimeout = TimeSpan.FromTicks(Math.Max(MinReadTimeout.Ticks, 3 * (entry.Due - started).Ticks));
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(readTimeout);
                try
                {
                    var ageTask = waited.Count == 0 ? Task.FromResult(ages) : depths.ReadOldestReadyAgesAsync(queue, waited, timeout.Token);
                    var depthTask = depths.ReadAsync(queue, served, timeout.Token);
                    await Task.WhenAll(ageTask, depthTask).ConfigureAwait(false);
                    (readings, ages) = (depthTask.Result, ageTask.Result);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    error = string.Create(CultureInfo.InvariantCulture, $"no answer within {readTimeout.TotalSeconds:0.#} s");
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
                {
                    error = e.Message;
                }
            }
            if (error is not null) AutoscalerLog.DepthFailed(logger, ns, name, error);
            var deployments = await deploymentsTask.ConfigureAwait(false);
            if (readings is not null)
                foreach (var (queueName, depth) in readings) metrics.SetQueueDepth(name, queueName, depth.Ready + depth.InFlight + depth.Delayed);
            if (entry.Reachable != (readings is not null))
            {
                if (readings is null && entry.Reachable is not false)
                    await events.RecordAsync(obj, EventRecorder.Warning, ScaleDecision.BrokerUnreachable, $"queue depth could not be read; replicas kept: {error}", cancellationToken).ConfigureAwait(false);
                entry.Reachable = readings is not null;
            }

            var poolViews = new List<PoolAutoscalingView>();
            for (var i = 0; i < pools.Count; i++)
            {
                var pool = pools[i];
                if (deployments[i] is not { } deployment) continue; // Not created yet: the reconciler comes first.
                var policy = policies[pool.Name];
                var current = deployment.Spec?.Replicas ?? 1;
                var podCount = deployment.Status?.Replicas ?? 0;
                QueueDepth? reading = readings is null ? null : Sum(pool.Queues.Distinct(StringComparer.Ordinal).Select(q => readings.GetValueOrDefault(q)));
                var age = pool.Queues.Select(q => ages.GetValueOrDefault(q)).Max();
                var previous = entry.States.GetValueOrDefault(pool.Name) ?? ScalerState.Initial;
                var (decision, state) = ScaleMath.Decide(policy, previous, current, reading, started, error, age);
                if (decision.Replicas < decision.Current)
                {
                    // A scale-in: which pods are idle decides how far it may go now; the same decision again, with that known.
                    var pods = await scaleIn.ReadAsync(queue, deployment, cancellationToken).ConfigureAwait(false);
                    (decision, state) = ScaleMath.Decide(policy, previous, current, reading, started, error, age, pods.IdleOf(current));
                    var failure = decision.Replicas < decision.Current ? await scaleIn.MarkAsync(ns, pods, cancellationToken).ConfigureAwait(false) : pods.Error;
                    if (failure is not null && (failure != entry.ScaleInError || !entry.ScaleInTried))
                        AutoscalerLog.IdleFirstUnavailable(logger, ns, name, pool.Name, failure);
                    (entry.ScaleInTried, entry.ScaleInError) = (true, failure);
                }
                if (decision.Replicas == 0 && started + policy.PollingIntervalAtZero < entry.Due) entry.Due = started + policy.PollingIntervalAtZero;
                if (decision.BusyWaitStarted)
                {
                    var waiting = string.Create(CultureInfo.InvariantCulture, $"pool {pool.Name}: {decision.Message}");
                    AutoscalerLog.Scaled(logger, ns, name, pool.Name, waiting);
                    await events.RecordAsync(obj, EventRecorder.Normal, ScaleDecision.WaitingForBusyWorkers, waiting, cancellationToken).ConfigureAwait(false);
                }
                if (decision.BusyWaitExpired)
                    await events.RecordAsync(obj, EventRecorder.Warning, "BusyWaitExpired", $"pool {pool.Name}: {decision.Message}", cancellationToken).ConfigureAwait(false);
                if (decision.Changed)
                {
                    var deploymentName = TaskQueueRenderer.ObjectName(queue, pool);
                    await SetReplicasAsync(ns, deploymentName, decision.Replicas, cancellationToken).ConfigureAwait(false);
                    var message = string.Create(CultureInfo.InvariantCulture, $"pool {pool.Name}: {decision.Current} -> {decision.Replicas} replicas ({decision.Message})");
                    AutoscalerLog.Scaled(logger, ns, name, pool.Name, message);
                    await events.RecordAsync(obj, EventRecorder.Normal, decision.Replicas > decision.Current ? "ScaledUp" : "ScaledDown", message, cancellationToken).ConfigureAwait(false);
                }
                entry.States[pool.Name] = state;
                metrics.SetPoolReplicas(name, pool.Name, podCount, decision.Replicas, policy.MinReplicas, policy.MaxReplicas);
                var busyWait = decision.BusyWaitSince is { } since
                    ? new BusyWaitView(since, decision.Current, decision.Wanted, policy.ScaleInBusyWait)
                    : null;
                poolViews.Add(new PoolAutoscalingView(pool.Name, decision.Depth, decision.Replicas, podCount, state.LastScaleTime, state.LastScaleReason) { BusyWait = busyWait });
            }
            var total = readings?.Values.Sum(d => d.Ready + d.InFlight + d.Delayed);
            var view = new TaskQueueAutoscalingView(poolViews, readings is not null, error, total)
            {
                IdleFirst = entry.ScaleInTried ? entry.ScaleInError ?? "" : null,
            };
            if (views.Set(key, view, time.GetUtcNow())) requestReconcile(key);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
        {
            AutoscalerLog.PollFailed(logger, e, key.ToString());
        }
    }

    private Task SetReplicasAsync(string ns, string deployment, int replicas, CancellationToken cancellationToken)
    {
        var scale = new V1Scale
        {
            ApiVersion = "autoscaling/v1",
            Kind = "Scale",
            Metadata = new V1ObjectMeta { Name = deployment, NamespaceProperty = ns },
            Spec = new V1ScaleSpec { Replicas = replicas },
        };
        return client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch(scale, V1Patch.PatchType.ApplyPatch), deployment, ns,
            fieldManager: FieldManager, force: true, cancellationToken: cancellationToken);
    }

    private static QueueDepth Sum(IEnumerable<QueueDepth> depths) =>
        depths.Aggregate(new QueueDepth(0, 0, 0), (a, b) => new QueueDepth(a.Ready + b.Ready, a.InFlight + b.InFlight, a.Delayed + b.Delayed));

    /// <summary>A deleted TaskQueue: its view, its metric series and its broker connection go.</summary>
    private async Task ForgetAsync(NamespacedName key)
    {
        views.Remove(key);
        metrics.Forget(key.Name);
        await depths.ForgetAsync(key).ConfigureAwait(false);
    }
}
