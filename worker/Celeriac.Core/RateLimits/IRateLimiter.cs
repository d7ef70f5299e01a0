namespace Celeriac.RateLimits;

/// <summary>
/// A rate limit shared by every worker (a generic cell rate algorithm on the store). Each start is given
/// its own slot <see cref="RateLimit.Interval"/> after the previous one, and the slot is remembered under a
/// ticket (task id and attempt), so a task that is sent back to wait for its slot finds it again on
/// redelivery instead of competing for a new one: starts are spaced evenly and nothing is retried in a loop.
/// </summary>
public interface IRateLimiter
{
    /// <summary>
    /// Returns how long the holder of <paramref name="ticket"/> must wait before starting (zero or less: now).
    /// A wait of at most <paramref name="consumeWithin"/> consumes the slot (the caller waits and runs); a
    /// longer one keeps it reserved for the same ticket, which comes back later.
    /// </summary>
    ValueTask<TimeSpan> ReserveAsync(string key, RateLimit limit, string ticket, TimeSpan consumeWithin, CancellationToken cancellationToken);
}
