namespace Celeriac.Registry;

/// <summary>The registry inside one process (tests, the in-memory broker).</summary>
public sealed class InMemoryWorkerRegistry(TimeProvider? timeProvider = null) : IWorkerRegistry
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (WorkerInfo Worker, DateTimeOffset Until)> _workers = new(StringComparer.Ordinal);

    public ValueTask HeartbeatAsync(WorkerInfo worker, TimeSpan keepFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        lock (_lock) _workers[worker.Id] = (worker, _time.GetUtcNow() + keepFor);
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<WorkerInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var id in _workers.Where(e => e.Value.Until <= now).Select(e => e.Key).ToList()) _workers.Remove(id);
            return ValueTask.FromResult<IReadOnlyList<WorkerInfo>>([.. _workers.Values.Select(e => e.Worker)]);
        }
    }
}
