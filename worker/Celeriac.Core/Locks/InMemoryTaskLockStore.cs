namespace Celeriac.Locks;

/// <summary>Task locks inside one process (tests, the in-memory broker).</summary>
public sealed class InMemoryTaskLockStore(TimeProvider? timeProvider = null) : ITaskLockStore
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (string Owner, DateTimeOffset Until)> _locks = new(StringComparer.Ordinal);

    public ValueTask<string> AcquireAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_locks.TryGetValue(key, out var held) && held.Until > now && held.Owner != owner) return ValueTask.FromResult(held.Owner);
            _locks[key] = (owner, now + ttl);
            return ValueTask.FromResult(owner);
        }
    }

    public ValueTask ReleaseAsync(string key, string owner, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_locks.TryGetValue(key, out var held) && held.Owner == owner) _locks.Remove(key);
        }
        return ValueTask.CompletedTask;
    }
}
