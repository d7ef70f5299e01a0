using System.Collections.Concurrent;
using System.Diagnostics;
using Celeriac.Envelope;
using Celeriac.Pipeline;

namespace Celeriac.Tests.Infrastructure;

/// <summary>One execution of a test task, as the task saw it.</summary>
public sealed record TaskRun(string Task, string Label, TaskEnvelope Envelope, string Queue, int DeliveryCount, DateTimeOffset At, ActivityTraceId? TraceId)
{
    public int Attempt => Envelope.Attempt;
}

/// <summary>
/// Shared by the test tasks of one host (a singleton there): records what ran and how many ran at once,
/// and holds the behaviour of <see cref="ScriptTask"/> for the test at hand.
/// </summary>
public sealed class Probe
{
    private int _running;
    private int _maxRunning;

    public Func<ScriptArgs, TaskContext, Task> Handler { get; set; } = (_, _) => Task.CompletedTask;

    public ConcurrentQueue<TaskRun> Started { get; } = new();
    public ConcurrentQueue<TaskRun> Finished { get; } = new();

    public int Running => Volatile.Read(ref _running);
    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public IEnumerable<TaskRun> StartedWith(string label) => Started.Where(r => r.Label == label);

    public void OnStart(TaskContext context, string label)
    {
        var running = Interlocked.Increment(ref _running);
        int max;
        while (running > (max = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, max) != max)
        {
        }
        Started.Enqueue(Snapshot(context, label));
    }

    public void OnEnd(TaskContext context, string label)
    {
        Interlocked.Decrement(ref _running);
        Finished.Enqueue(Snapshot(context, label));
    }

    private static TaskRun Snapshot(TaskContext context, string label) =>
        new(context.TaskName, label, context.Envelope, context.Queue, context.Message.DeliveryCount, DateTimeOffset.UtcNow, Activity.Current?.TraceId);
}
