using System.Diagnostics;
using System.Diagnostics.Metrics;
using Celeriac.Brokers;
using Celeriac.Pipeline;
using Celeriac.Tasks;

namespace Celeriac.Observability;

/// <summary>
/// Task metrics on System.Diagnostics.Metrics. Instrument names map to the Prometheus names of the design
/// (e.g. celeriac.tasks.received → celeriac_tasks_received_total). Labels are registered task names and queues only
/// (a poison message's task is "unknown"), and the exception's type name on failures, so cardinality stays bounded.
/// </summary>
public sealed class TaskMetrics : ITaskObserver
{
    private readonly Counter<long> _received;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _expired;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _revoked;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _queueWait;
    private readonly UpDownCounter<long> _inFlight;

    /// <summary>
    /// Bucket bounds (seconds) for task duration and queue wait: from 1 ms to 1 h, about three per decade,
    /// so that both a 2 ms no-op and a 40 min report get a useful p95.
    /// </summary>
    public static IReadOnlyList<double> DurationBuckets { get; } =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    public TaskMetrics(IMeterFactory meterFactory)
        : this(meterFactory, null)
    {
    }

    /// <param name="meterFactory">Creates the "Celeriac" meter.</param>
    /// <param name="registry">
    /// When given, the counters of every registered task start at zero on its queue, so that Prometheus sees a
    /// series before the first event (rate() and absent-series alerts work from the first increment).
    /// </param>
    public TaskMetrics(IMeterFactory meterFactory, TaskRegistry? registry)
    {
        var meter = meterFactory.Create(CeleriacDiagnostics.MeterName);
        _received = meter.CreateCounter<long>("celeriac.tasks.received", description: "Task messages received");
        _succeeded = meter.CreateCounter<long>("celeriac.tasks.succeeded", description: "Tasks that succeeded");
        _failed = meter.CreateCounter<long>("celeriac.tasks.failed", description: "Tasks that failed for good (retries exhausted or not retryable)");
        _retried = meter.CreateCounter<long>("celeriac.tasks.retried", description: "Failed attempts re-sent for a retry");
        _expired = meter.CreateCounter<long>("celeriac.tasks.expired", description: "Messages discarded because they expired");
        _deadLettered = meter.CreateCounter<long>("celeriac.tasks.dead_lettered", description: "Messages moved to the dead-letter store");
        _rateLimited = meter.CreateCounter<long>("celeriac.tasks.rate_limited", description: "Messages put back because the task's rate limit was reached");
        _revoked = meter.CreateCounter<long>("celeriac.tasks.revoked", description: "Messages discarded because their task was revoked");
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        _duration = meter.CreateHistogram("celeriac.task.duration", unit: "s", description: "Task execution time", advice: buckets);
        _queueWait = meter.CreateHistogram("celeriac.task.queue_wait", unit: "s", description: "Time from enqueue (or ETA) to start", advice: buckets);
        _inFlight = meter.CreateUpDownCounter<long>("celeriac.tasks.in_flight", description: "Tasks running now");
        if (registry is not null) StartAtZero(registry);
    }

    private void StartAtZero(TaskRegistry registry)
    {
        foreach (var descriptor in registry.All)
        {
            var tags = new TagList { { "task", descriptor.Name }, { "queue", descriptor.Options.Queue } };
            foreach (var counter in new[] { _received, _succeeded, _retried, _expired, _deadLettered, _rateLimited, _revoked }) counter.Add(0, tags);
            _inFlight.Add(0, tags);
        }
    }

    private static TagList Tags(TaskExecution execution) => new() { { "task", execution.TaskName }, { "queue", execution.Queue } };

    public void OnStarted(TaskExecution execution) => _inFlight.Add(1, Tags(execution));

    /// <summary>
    /// Each delivery that is settled counts once as received; a hand-back (rate limit, lock held, shutdown) is not a
    /// run: it counts only as rate-limited where it was, and neither as received nor in the duration histogram (the
    /// delivery that runs later is counted then).
    /// </summary>
    public void OnFinished(TaskExecution execution, Settlement settlement, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(settlement);
        var tags = Tags(execution);
        _inFlight.Add(-1, tags);
        if (settlement is Settlement.Released released)
        {
            if (released.Why == ReleaseReason.RateLimited) _rateLimited.Add(1, tags);
            return;
        }
        _received.Add(1, tags);
        var envelope = execution.Envelope;
        var readyAt = envelope.Eta is { } eta && eta > envelope.Created ? eta : envelope.Created;
        _queueWait.Record(Math.Max(0, (execution.StartedAt - readyAt).TotalSeconds), tags);
        switch (settlement)
        {
            case Settlement.Succeeded: _succeeded.Add(1, tags); break;
            case Settlement.Retry: _retried.Add(1, tags); break;
            case Settlement.Discarded { Why: DiscardReason.Expired }: _expired.Add(1, tags); return;
            case Settlement.Discarded: _revoked.Add(1, tags); return;
            case Settlement.DeadLettered: _deadLettered.Add(1, tags); break;
        }
        if (settlement is Settlement.DeadLettered { Failure: { } failure })
        {
            var failedTags = tags;
            failedTags.Add("exception", failure.GetType().Name);
            _failed.Add(1, failedTags);
        }
        _duration.Record(duration.TotalSeconds, tags);
    }

    public void OnRejected(BrokerMessage message, string? taskName, string reason) =>
        _deadLettered.Add(1, new TagList { { "task", taskName ?? "unknown" }, { "queue", message.Queue } });
}
