namespace Celeriac.Revocation;

/// <summary>Revocations inside one process (tests, the in-memory broker), each until its expiry.</summary>
public sealed class InMemoryRevocationStore(TimeProvider? timeProvider = null) : IRevocationStore
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset At, DateTimeOffset Until)> _revokedNames = new(StringComparer.Ordinal);

    public ValueTask RevokeAsync(string taskId, TimeSpan expiry, CancellationToken cancellationToken)
    {
        lock (_lock) _revoked[taskId] = _time.GetUtcNow() + expiry;
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyCollection<string>> GetRevokedAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var id in _revoked.Where(e => e.Value <= now).Select(e => e.Key).ToList()) _revoked.Remove(id);
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
}
