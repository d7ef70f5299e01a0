using System.Diagnostics;
using System.Diagnostics.Metrics;
using Celeriac.Brokers;
using Celeriac.Pipeline;

namespace Celeriac.Observability;

/// <summary>
/// Task metrics on System.Diagnostics.Metrics. Instrument names map to the Prometheus names of the design
/// (e.g. celeriac.tasks.received → celeriac_tasks_received_total). Labels are registered task names and queues only.
/// </summary>
public sealed class TaskMetrics : ITaskObserver
{
    private readonly Counter<long> _received;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _expired;
    private readonly Counter<long> _deadLettered;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _queueWait;
    private readonly UpDownCounter<long> _inFlight;

    public TaskMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(CeleriacDiagnostics.MeterName);
        _received = meter.CreateCounter<long>("celeriac.tasks.received", description: "Task messages received");
        _succeeded = meter.CreateCounter<long>("celeriac.tasks.succeeded", description: "Tasks that succeeded");
        _failed = meter.CreateCounter<long>("celeriac.tasks.failed", description: "Tasks that failed for good (retries exhausted or not retryable)");
        _retried = meter.CreateCounter<long>("celeriac.tasks.retried", description: "Failed attempts re-sent for a retry");
        _expired = meter.CreateCounter<long>("celeriac.tasks.expired", description: "Messages discarded because they expired");
        _deadLettered = meter.CreateCounter<long>("celeriac.tasks.dead_lettered", description: "Messages moved to the dead-letter store");
        _duration = meter.CreateHistogram<double>("celeriac.task.duration", unit: "s", description: "Task execution time");
        _queueWait = meter.CreateHistogram<double>("celeriac.task.queue_wait", unit: "s", description: "Time from enqueue (or ETA) to start");
        _inFlight = meter.CreateUpDownCounter<long>("celeriac.tasks.in_flight", description: "Tasks running now");
    }

    private static TagList Tags(TaskContext context) => new() { { "task", context.TaskName }, { "queue", context.Queue } };

    public void OnStarted(TaskContext context, TimeSpan queueWait)
    {
        var tags = Tags(context);
        _received.Add(1, tags);
        _inFlight.Add(1, tags);
        _queueWait.Record(Math.Max(0, queueWait.TotalSeconds), tags);
    }

    public void OnFinished(TaskContext context, TimeSpan duration)
    {
        var tags = Tags(context);
        _inFlight.Add(-1, tags);
        switch (context.Outcome)
        {
            case TaskOutcome.Succeeded: _succeeded.Add(1, tags); break;
            case TaskOutcome.Retried: _retried.Add(1, tags); break;
            case TaskOutcome.Expired: _expired.Add(1, tags); return;
            case TaskOutcome.DeadLettered: _deadLettered.Add(1, tags); break;
        }
        if (context.Exception is not null && context.Outcome is TaskOutcome.DeadLettered or TaskOutcome.Failed)
        {
            var failedTags = tags;
            failedTags.Add("exception", context.Exception.GetType().Name);
            _failed.Add(1, failedTags);
        }
        _duration.Record(duration.TotalSeconds, tags);
    }

    public void OnRejected(BrokerMessage message, string? taskName, string reason) =>
        _deadLettered.Add(1, new TagList { { "task", taskName ?? "unknown" }, { "queue", message.Queue } });
}
