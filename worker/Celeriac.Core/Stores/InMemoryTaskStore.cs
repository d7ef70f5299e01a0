namespace Celeriac.Stores;

/// <summary>The store inside one process (tests, the in-memory broker): rate limits, locks, results, revocations, workflow joins and fan-out progress.</summary>
public sealed class InMemoryTaskStore(TimeProvider? timeProvider = null) : IRateLimiter, ITaskLockStore, IResultStore, IRevocationStore, IWorkflowStore, IFanOutProgressStore
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _nextSlot = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _reservations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Owner, DateTimeOffset Until)> _locks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (TaskResult Result, DateTimeOffset Until)> _results = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset At, DateTimeOffset Until)> _revokedNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Join> _joins = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _checkpoints = new(StringComparer.Ordinal);

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

    public ValueTask<IReadOnlyList<string>?> JoinAsync(string joinId, int index, int size, string resultJson, TimeSpan expiry, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (!_joins.TryGetValue(joinId, out var join) || join.Until <= now)
            {
                if (_joins.Count > 10_000)
                    foreach (var key in _joins.Where(j => j.Value.Until <= now).Select(j => j.Key).ToList()) _joins.Remove(key);
                _joins[joinId] = join = new Join(new string?[size], now + expiry);
            }
            if (join.Results[index] is null)
            {
                join.Results[index] = resultJson;
                join.Count++;
            }
            if (join.Count < join.Results.Length) return ValueTask.FromResult<IReadOnlyList<string>?>(null);
            join.Completer ??= index;
            return ValueTask.FromResult<IReadOnlyList<string>?>(join.Completer == index ? [.. join.Results.Select(r => r!)] : null);
        }
    }

    public ValueTask<string?> GetCheckpointAsync(string key, CancellationToken cancellationToken)
    {
        lock (_lock) return ValueTask.FromResult(_checkpoints.TryGetValue(key, out var checkpoint) ? checkpoint : null);
    }

    public ValueTask SetCheckpointAsync(string key, string checkpoint, CancellationToken cancellationToken)
    {
        lock (_lock) _checkpoints[key] = checkpoint;
        return ValueTask.CompletedTask;
    }

    private sealed class Join(string?[] results, DateTimeOffset until)
    {
        public string?[] Results { get; } = results;
        public DateTimeOffset Until { get; } = until;
        public int Count { get; set; }
        public int? Completer { get; set; }
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
