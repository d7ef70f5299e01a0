using System.Collections.Concurrent;
using Celeriac.Brokers;
using Celeriac.Observability;
using Celeriac.Pipeline;

namespace Celeriac.Registry;

/// <summary>What this worker runs now and what it settled so far, kept from the observer hooks for its registry entry.</summary>
public sealed class WorkerActivity : ITaskObserver
{
    private readonly ConcurrentDictionary<TaskExecution, byte> _running = new(ReferenceEqualityComparer.Instance);
    private long _processed;
    private long _succeeded;
    private long _failed;
    private long _retried;

    public long Processed => Interlocked.Read(ref _processed);
    public long Succeeded => Interlocked.Read(ref _succeeded);
    public long Failed => Interlocked.Read(ref _failed);
    public long Retried => Interlocked.Read(ref _retried);

    public int RunningCount => _running.Count;

    /// <summary>The executions running now (a copy).</summary>
    public ICollection<TaskExecution> Executions => _running.Keys;

    /// <summary>The running tasks, oldest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<RunningTask> Running(int limit) =>
        [.. _running.Keys.OrderBy(e => e.StartedAt).Take(limit).Select(e => new RunningTask(e.TaskId, e.TaskName, e.Queue, e.Attempt, e.StartedAt))];

    public void OnStarted(TaskExecution execution) => _running.TryAdd(execution, 0);

    public void OnFinished(TaskExecution execution, Settlement settlement, TimeSpan duration)
    {
        _running.TryRemove(execution, out _);
        if (settlement is Settlement.Released) return;
        Interlocked.Increment(ref _processed);
        switch (settlement)
        {
            case Settlement.Succeeded: Interlocked.Increment(ref _succeeded); break;
            case Settlement.Retry: Interlocked.Increment(ref _retried); break;
            case Settlement.DeadLettered: Interlocked.Increment(ref _failed); break;
        }
    }

    public void OnRejected(BrokerMessage message, string? taskName, string reason)
    {
        Interlocked.Increment(ref _processed);
        Interlocked.Increment(ref _failed);
    }
}
