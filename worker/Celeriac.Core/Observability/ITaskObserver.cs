using Celeriac.Brokers;
using Celeriac.Pipeline;

namespace Celeriac.Observability;

/// <summary>Hooks called by the metrics middleware and the dispatcher. Register several with <c>AddObserver</c>.</summary>
public interface ITaskObserver
{
    /// <summary>Before the task runs; <paramref name="queueWait"/> is enqueue (or ETA) to start.</summary>
    void OnStarted(TaskContext context, TimeSpan queueWait) { }

    /// <summary>After the pipeline; <see cref="TaskContext.Outcome"/> says what happened.</summary>
    void OnFinished(TaskContext context, TimeSpan duration) { }

    /// <summary>A poison message (unparseable, unknown task, args that do not bind) was dead-lettered.</summary>
    void OnRejected(BrokerMessage message, string? taskName, string reason) { }
}
