using System.Text.Json.Nodes;

namespace Celeriac.Scheduling;

/// <summary>One periodic task: what to enqueue and when. The operator builds it from the TaskQueue spec, the worker host from configuration.</summary>
public sealed class ScheduleDefinition
{
    public required string Name { get; init; }
    public required string Task { get; init; }
    public required Recurrence Recurrence { get; init; }
    public string? Queue { get; init; }
    public JsonObject? Args { get; init; }

    /// <summary>The run is discarded if a worker receives it later than this after it was enqueued.</summary>
    public TimeSpan? Expires { get; init; }

    public MissedRunPolicy MissedRunPolicy { get; init; }

    /// <summary>A slot handled later than this is not run (for RunOnce: bounds the catch-up run).</summary>
    public TimeSpan? StartingDeadline { get; init; }

    /// <summary>Suspended: no runs; slots passing meanwhile are dropped, not caught up on resume.</summary>
    public bool Suspend { get; init; }

    /// <summary>Builds the recurrence from exactly one of a cron expression (in <paramref name="timeZone"/>, default UTC) or an interval.</summary>
    /// <exception cref="FormatException">Neither or both are given, the expression is invalid or the time zone is unknown.</exception>
    public static Recurrence ParseRecurrence(string? cron, TimeSpan? interval, string? timeZone)
    {
        var hasCron = !string.IsNullOrWhiteSpace(cron);
        if (hasCron == interval.HasValue) throw new FormatException("exactly one of cron and interval must be set");
        if (interval is { } every)
        {
            if (every < TimeSpan.FromSeconds(1)) throw new FormatException("interval must be at least 1s");
            return Recurrence.Every(every);
        }
        if (!CronExpression.TryParse(cron!, out var expression, out var error)) throw new FormatException(error);
        return Recurrence.Cron(expression, FindZone(timeZone));
    }

    /// <summary>An IANA time zone id (the system's tz database); null or empty is UTC.</summary>
    public static TimeZoneInfo FindZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || id == "UTC") return TimeZoneInfo.Utc;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new FormatException($"time zone '{id}' is not known", e);
        }
    }
}
