namespace Celeriac.Stores;

/// <summary>The store inside one process (tests, the in-memory broker): rate limits, locks, results and revocations.</summary>
public sealed class InMemoryTaskStore(TimeProvider? timeProvider = null) : IRateLimiter, ITaskLockStore, IResultStore, IRevocationStore
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _nextSlot = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _reservations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Owner, DateTimeOffset Until)> _locks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (TaskResult Result, DateTimeOffset Until)> _results = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset At, DateTimeOffset Until)> _revokedNames = new(StringComparer.Ordinal);

    public ValueTask<TimeSpan> ReserveAsync(string key, RateLimit limit, string ticket, TimeSpan consumeWithin, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var reservation = key + "\n" + ticket;
            if (!_reservations.TryGetValue(reservation, out var slot))
            {
                slot = _nextSlot.TryGetValue(key, out var next) && next > now ? next : now;
                _nextSlot[key] = slot + limit.Interval;
                if (_reservations.Count > 100_000) Prune(_reservations, now - TimeSpan.FromMinutes(1));
            }
            var wait = slot - now;
            if (wait <= consumeWithin) _reservations.Remove(reservation);
            else _reservations[reservation] = slot;
            return ValueTask.FromResult(wait);
        }
    }

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

    public ValueTask RevokeAsync(string taskId, TimeSpan expiry, CancellationToken cancellationToken)
    {
        lock (_lock) _revoked[taskId] = _time.GetUtcNow() + expiry;
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyCollection<string>> GetRevokedAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Prune(_revoked, _time.GetUtcNow());
            return ValueTask.FromResult<IReadOnlyCollection<string>>([.. _revoked.Keys]);
        }
    }

    public ValueTask RevokeTaskNameAsync(string taskName, TimeSpan expiry, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_lock) _revokedNames[taskName] = (now, now + expiry);
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyDictionary<string, DateTimeOffset>> GetRevokedTaskNamesAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var name in _revokedNames.Where(e => e.Value.Until <= now).Select(e => e.Key).ToList()) _revokedNames.Remove(name);
            return ValueTask.FromResult<IReadOnlyDictionary<string, DateTimeOffset>>(_revokedNames.ToDictionary(e => e.Key, e => e.Value.At, StringComparer.Ordinal));
        }
    }

    private static void Prune(Dictionary<string, DateTimeOffset> entries, DateTimeOffset before)
    {
        foreach (var key in entries.Where(e => e.Value <= before).Select(e => e.Key).ToList()) entries.Remove(key);
    }
}
