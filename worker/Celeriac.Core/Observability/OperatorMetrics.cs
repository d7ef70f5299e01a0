using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Celeriac.Observability;

/// <summary>
/// The operator's instruments, with the Prometheus names of the design: <c>celeriac_queue_depth{taskqueue,queue}</c>,
/// <c>celeriac_pool_replicas{taskqueue,pool,kind=current|desired|min|max}</c>, <c>celeriac_operator_reconcile_total{result}</c>,
/// <c>celeriac_operator_reconcile_duration_seconds</c>, <c>celeriac_operator_watch_restarts_total</c> and <c>celeriac_operator_leader</c>. Kept here, next to the worker's, so that the alert rules and
/// the dashboard are tested against code. Depth and replicas are read at each collection, so a deleted TaskQueue's
/// series disappear once <see cref="Forget"/> is called.
/// </summary>
public sealed class OperatorMetrics
{
    private readonly ConcurrentDictionary<(string TaskQueue, string Queue), long> _depths = new();
    private readonly ConcurrentDictionary<(string TaskQueue, string Pool, string Kind), long> _replicas = new();
    private readonly ConcurrentDictionary<string, long> _reconcileCounts = new(StringComparer.Ordinal);
    private readonly Counter<long> _reconciles;
    private readonly Histogram<double> _reconcileDuration;
    private readonly Counter<long> _watchRestarts;
    private int _leader;

    public OperatorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(CeleriacDiagnostics.MeterName);
        meter.CreateObservableGauge("celeriac.queue.depth", ObserveDepths, description: "Messages in a queue (ready, in flight and delayed) as the operator reads it from the broker");
        meter.CreateObservableGauge("celeriac.pool.replicas", ObserveReplicas, description: "Replicas of a worker pool: current, desired by the autoscaler, min and max");
        _reconciles = meter.CreateCounter<long>("celeriac.operator.reconcile", description: "TaskQueue reconciles by result (success, requeue, error)");
        _reconcileDuration = meter.CreateHistogram("celeriac.operator.reconcile.duration", unit: "s", description: "Time of one TaskQueue reconcile",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _watchRestarts = meter.CreateCounter<long>("celeriac.operator.watch_restarts", description: "Watches restarted (stream ended, 410 Gone, errors)");
        meter.CreateObservableGauge("celeriac.operator.leader", () => Volatile.Read(ref _leader), description: "Whether this operator instance holds the leader Lease");
    }

    public void RecordWatchRestart() => _watchRestarts.Add(1);

    public void SetLeader(bool isLeader) => Volatile.Write(ref _leader, isLeader ? 1 : 0);

    /// <summary>Reconciles so far with this result, in this process (for health checks and tests).</summary>
    public long ReconcileCount(string result) => _reconcileCounts.GetValueOrDefault(result);

    public void SetQueueDepth(string taskQueue, string queue, long depth) => _depths[(taskQueue, queue)] = depth;

    public void SetPoolReplicas(string taskQueue, string pool, int current, int desired, int min, int max)
    {
        _replicas[(taskQueue, pool, "current")] = current;
        _replicas[(taskQueue, pool, "desired")] = desired;
        _replicas[(taskQueue, pool, "min")] = min;
        _replicas[(taskQueue, pool, "max")] = max;
    }

    /// <summary>Drops the series of a deleted TaskQueue.</summary>
    public void Forget(string taskQueue)
    {
        foreach (var key in _depths.Keys.Where(k => k.TaskQueue == taskQueue)) _depths.TryRemove(key, out _);
        foreach (var key in _replicas.Keys.Where(k => k.TaskQueue == taskQueue)) _replicas.TryRemove(key, out _);
    }

    /// <param name="result">One of a few fixed words, e.g. <c>success</c>, <c>requeue</c>, <c>error</c>: never an error message.</param>
    public void RecordReconcile(string result, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("result", result);
        _reconcileCounts.AddOrUpdate(result, 1, (_, count) => count + 1);
        _reconciles.Add(1, tag);
        _reconcileDuration.Record(duration.TotalSeconds, tag);
    }

    private IEnumerable<Measurement<long>> ObserveDepths() =>
        _depths.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("taskqueue", d.Key.TaskQueue), new KeyValuePair<string, object?>("queue", d.Key.Queue)));

    private IEnumerable<Measurement<long>> ObserveReplicas() =>
        _replicas.Select(r => new Measurement<long>(r.Value,
            new KeyValuePair<string, object?>("taskqueue", r.Key.TaskQueue),
            new KeyValuePair<string, object?>("pool", r.Key.Pool),
            new KeyValuePair<string, object?>("kind", r.Key.Kind)));
}
