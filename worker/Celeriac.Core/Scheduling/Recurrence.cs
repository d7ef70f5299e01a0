namespace Celeriac.Scheduling;

/// <summary>When a schedule fires: a cron expression in a time zone, or a fixed interval counted from the Unix epoch.</summary>
public sealed class Recurrence
{
    private readonly CronExpression? _cron;
    private readonly TimeZoneInfo _zone;
    private readonly TimeSpan _interval;

    private Recurrence(CronExpression? cron, TimeZoneInfo zone, TimeSpan interval)
    {
        _cron = cron;
        _zone = zone;
        _interval = interval;
    }

    public static Recurrence Cron(CronExpression cron, TimeZoneInfo zone) => new(cron, zone, TimeSpan.Zero);

    /// <summary>Slots at every whole multiple of <paramref name="interval"/> since 1970-01-01T00:00Z, so every scheduler computes the same slots.</summary>
    public static Recurrence Every(TimeSpan interval)
    {
        if (interval < TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(interval), interval, "an interval must be at least one second");
        return new(null, TimeZoneInfo.Utc, interval);
    }

    /// <summary>The first slot strictly after <paramref name="after"/>, or null when there is none (an impossible date such as 30 February).</summary>
    public DateTimeOffset? Next(DateTimeOffset after)
    {
        if (_cron is not null) return _cron.Next(after, _zone);
        var ticks = after.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var slots = Math.Floor((double)ticks / _interval.Ticks);
        var next = DateTimeOffset.UnixEpoch.AddTicks((long)(slots + 1) * _interval.Ticks);
        // Floating point may land one slot off for huge tick counts: correct by whole intervals.
        while (next <= after) next = next.Add(_interval);
        while (next - _interval > after) next = next.Subtract(_interval);
        return next;
    }

    public override string ToString() => _cron is not null ? $"{_cron} ({_zone.Id})" : $"every {_interval}";
}
