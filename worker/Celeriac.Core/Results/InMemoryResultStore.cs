namespace Celeriac.Results;

/// <summary>Task results inside one process (tests, the in-memory broker), each kept until its expiry.</summary>
public sealed class InMemoryResultStore(TimeProvider? timeProvider = null) : IResultStore
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (TaskResult Result, DateTimeOffset Until)> _results = new(StringComparer.Ordinal);

    public ValueTask SetAsync(TaskResult result, TimeSpan expiry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_lock) _results[result.TaskId] = (result, _time.GetUtcNow() + expiry);
        return ValueTask.CompletedTask;
    }

    public ValueTask<TaskResult?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_results.TryGetValue(taskId, out var stored)) return ValueTask.FromResult<TaskResult?>(null);
            if (stored.Until > _time.GetUtcNow()) return ValueTask.FromResult<TaskResult?>(stored.Result);
            _results.Remove(taskId);
            return ValueTask.FromResult<TaskResult?>(null);
        }
    }
}
