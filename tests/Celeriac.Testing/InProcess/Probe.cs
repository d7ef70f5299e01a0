using System.Collections.Concurrent;
using System.Diagnostics;
using Celeriac.Envelope;
using Celeriac.Pipeline;
using Celeriac.Tasks;

namespace Celeriac.Testing.InProcess;

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

    public Func<ScriptArgs, ScriptContext, Task> Handler { get; set; } = (_, _) => Task.CompletedTask;

    private static readonly AsyncLocal<TaskExecution?> Current = new();

    /// <summary>The execution of the task running on this flow (set by <see cref="ExecutionCapture"/>).</summary>
    public static TaskExecution CurrentExecution => Current.Value ?? throw new InvalidOperationException("No execution: the probe's middleware is not registered.");

    /// <summary>Innermost test middleware: makes the execution visible to the task body that runs inside it.</summary>
    public sealed class ExecutionCapture : ITaskMiddleware
    {
        public Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
        {
            Current.Value = execution;
            return next(execution);
        }
    }

    public ConcurrentQueue<TaskRun> Started { get; } = new();
    public ConcurrentQueue<TaskRun> Finished { get; } = new();

    public int Running => Volatile.Read(ref _running);
    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public IEnumerable<TaskRun> StartedWith(string label) => Started.Where(r => r.Label == label);

    public void OnStart(TaskContext context, string label) => OnStart(label);

    private void OnStart(string label)
    {
        var running = Interlocked.Increment(ref _running);
        int max;
        while (running > (max = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, running, max) != max)
        {
        }
        Started.Enqueue(Snapshot(label));
    }

    public void OnEnd(TaskContext context, string label)
    {
        Interlocked.Decrement(ref _running);
        Finished.Enqueue(Snapshot(label));
    }

    private static TaskRun Snapshot(string label)
    {
        var execution = CurrentExecution;
        return new(execution.TaskName, label, execution.Envelope, execution.Queue, execution.Message.DeliveryCount, DateTimeOffset.UtcNow, Activity.Current?.TraceId);
    }
}

/// <summary>What a <see cref="ScriptTask"/> handler sees: the task's own context, and the execution behind it for assertions.</summary>
public sealed class ScriptContext(TaskContext task, TaskExecution execution)
{
    public TaskContext Task { get; } = task;
    public TaskExecution Execution { get; } = execution;
    public CancellationToken CancellationToken => Task.CancellationToken;
    public int Attempt => Task.Attempt;
    public string TaskId => Task.TaskId;
    public Celeriac.Brokers.BrokerMessage Message => Execution.Message;
    public IServiceProvider Services => Execution.Services;
}
