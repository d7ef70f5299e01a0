using Celeriac.Pipeline;
using Celeriac.Registry;

namespace Celeriac.TaskIndex;

/// <summary>
/// The starts the index learns at a flush: each task running then (from <see cref="WorkerActivity"/>) that the previous
/// flush did not see. A task that starts and ends between two flushes is written once, by its end, which carries what
/// its start would have; the start of a longer one is written by the first flush that finds it running. Used by the
/// writer's flush only, one at a time. A process that runs no tasks (a producer, the CLI) has no activity and no starts.
/// </summary>
public sealed class RunningStarts(WorkerActivity? activity, WorkerIdentity identity, int maxArgsLength)
{
    private HashSet<TaskExecution> _seen = new(ReferenceEqualityComparer.Instance);
    private HashSet<TaskExecution> _running = new(ReferenceEqualityComparer.Instance);

    /// <summary>Adds the start of each task running now and not seen running by the previous flush.</summary>
    public void AddTo(Dictionary<string, TaskEvent> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (activity is null) return;
        _running.Clear();
        foreach (var execution in activity.Executions)
        {
            _running.Add(execution);
            if (_seen.Contains(execution)) continue;
            TaskEvent.FoldInto(batch, TaskIndexRecorder.Started(execution, identity.Id, maxArgsLength));
        }
        (_seen, _running) = (_running, _seen);
    }
}
