using Celeriac.Brokers;
using Celeriac.Pipeline;

namespace Celeriac.Observability;

/// <summary>Hooks called by the metrics middleware and the dispatcher. Register several with <c>AddObserver</c>.</summary>
public interface ITaskObserver
{
    /// <summary>When the pipeline takes up a delivered message (before rate limits and locks decide whether it runs now).</summary>
    void OnStarted(TaskExecution execution) { }

    /// <summary>After the pipeline, with how the execution ended; <paramref name="duration"/> is the time spent in the pipeline.</summary>
    void OnFinished(TaskExecution execution, Settlement settlement, TimeSpan duration) { }

    /// <summary>A poison message (unparseable, unknown task, args that do not bind) was dead-lettered.</summary>
    void OnRejected(BrokerMessage message, string? taskName, string reason) { }
}
