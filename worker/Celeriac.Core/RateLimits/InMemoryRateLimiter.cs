namespace Celeriac.RateLimits;

/// <summary>The rate limiter inside one process (tests, the in-memory broker): a generic cell rate algorithm with reservations per ticket.</summary>
public sealed class InMemoryRateLimiter(TimeProvider? timeProvider = null) : IRateLimiter
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _nextSlot = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _reservations = new(StringComparer.Ordinal);

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
                if (_reservations.Count > 100_000)
                    foreach (var stale in _reservations.Where(e => e.Value <= now - TimeSpan.FromMinutes(1)).Select(e => e.Key).ToList()) _reservations.Remove(stale);
            }
            var wait = slot - now;
            if (wait <= consumeWithin) _reservations.Remove(reservation);
            else _reservations[reservation] = slot;
            return ValueTask.FromResult(wait);
        }
    }
}
