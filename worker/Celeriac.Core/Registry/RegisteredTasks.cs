using System.Collections.Concurrent;
using Celeriac.Envelope;
using Celeriac.Locks;
using Celeriac.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Registry;

/// <summary>
/// The tasks live workers published in the registry, with their options: what a producer that sends a task by name
/// without its code uses to route and lock it as the workers would, and to tell a misspelt name from one it cannot know.
/// Read from the store at most every <see cref="MaxAge"/>; without a readable registry it knows nothing and says so.
/// </summary>
public sealed partial class RegisteredTasks(IWorkerRegistry registry, IOptions<RegistryOptions> options, TimeProvider time, ILogger<RegisteredTasks> logger)
{
    public static TimeSpan MaxAge { get; } = TimeSpan.FromSeconds(2);

    private readonly RegistryOptions _options = options.Value;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> _warned = new(StringComparer.Ordinal);
    private volatile Snapshot _snapshot = Snapshot.Empty;

    /// <summary>The options a live worker published for <paramref name="taskName"/> (as of the last read), or null.</summary>
    public TaskOptions? Find(string taskName) => _snapshot.Tasks.TryGetValue(taskName, out var task) ? task : null;

    /// <summary>Reads the registry again when the last read is older than <see cref="MaxAge"/>.</summary>
    public async ValueTask RefreshAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled || time.GetUtcNow() - _snapshot.ReadAt < MaxAge) return;
        await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            if (now - _snapshot.ReadAt < MaxAge) return;
            IReadOnlyList<WorkerInfo> workers;
            try
            {
                workers = await registry.ListAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogUnreadable(ex.Message);
                _snapshot = Snapshot.Empty with { ReadAt = now };
                return;
            }
            var live = workers.Where(w => w.StatusAt(now, _options.LostAfter) is WorkerStatus.Online or WorkerStatus.Draining).ToList();
            var tasks = new Dictionary<string, TaskOptions>(StringComparer.Ordinal);
            foreach (var task in live.OrderBy(w => w.HeartbeatAt).SelectMany(w => w.Tasks)) tasks[task.Name] = OptionsOf(task);
            _snapshot = new Snapshot(now, tasks, live.SelectMany(w => w.Queues).ToHashSet(StringComparer.Ordinal));
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>
    /// Refuses <paramref name="envelope"/>'s task when live workers consume its queue and none of them registers it (they
    /// would dead-letter it as unknown); warns once per name when no live worker consumes that queue, since a worker the
    /// registry does not see (not started yet, another language's) may.
    /// </summary>
    public void Check(TaskEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var snapshot = _snapshot;
        if (snapshot.Tasks.ContainsKey(envelope.Task)) return;
        if (snapshot.Queues.Contains(envelope.Queue) && _options.RefuseUnknownTasks)
            throw new UnknownTaskException(envelope.Task, envelope.Queue, snapshot.Tasks.Keys);
        if (_warned.TryAdd(envelope.Task, 0)) LogUnknown(envelope.Task, envelope.Queue);
    }

    private static TaskOptions OptionsOf(RegisteredTask task) => new()
    {
        Queue = task.Queue,
        AcksLate = task.AcksLate,
        MaskArgs = task.MaskArgs,
        MaxRetries = task.MaxRetries,
        Lock = Enum.TryParse<TaskLockMode>(task.Lock, out var mode) ? mode : TaskLockMode.None,
        LockKeyFields = [.. task.LockKeyFields],
        Expires = task.Expires,
    };

    private sealed record Snapshot(DateTimeOffset ReadAt, IReadOnlyDictionary<string, TaskOptions> Tasks, IReadOnlySet<string> Queues)
    {
        public static Snapshot Empty { get; } = new(DateTimeOffset.MinValue, new Dictionary<string, TaskOptions>(), new HashSet<string>());
    }

    [LoggerMessage(LogLevel.Warning, "Task {Task} is not registered in this process and no live worker of queue {Queue} registers it: sent as routed; check the name if nothing runs it")]
    private partial void LogUnknown(string task, string queue);

    [LoggerMessage(LogLevel.Warning, "The worker registry cannot be read ({Reason}): tasks sent by name are routed by configuration only")]
    private partial void LogUnreadable(string reason);
}
