using Celeriac.Operator.Model;
using Celeriac.Scheduling;

namespace Celeriac.Operator.Scheduling;

/// <summary>A TaskQueue's <c>spec.schedules[]</c> entry as the shared schedule maths reads it.</summary>
public static class ScheduleSpecs
{
    /// <exception cref="FormatException">The entry is invalid; the message says why.</exception>
    public static ScheduleDefinition ToDefinition(ScheduleSpec spec)
    {
        TimeSpan? Duration(string field, string? text) =>
            text is null ? null : KubeDuration.TryParse(text, out var value) ? value : throw new FormatException($"{field} '{text}' is not a duration like 30s, 5m or 1h30m");

        // The CRD's enum is the names of MissedRunPolicy.
        if (!Enum.GetNames<MissedRunPolicy>().Contains(spec.MissedRunPolicy, StringComparer.Ordinal))
            throw new FormatException($"missedRunPolicy '{spec.MissedRunPolicy}' must be one of {string.Join(", ", Enum.GetNames<MissedRunPolicy>())}");
        var policy = Enum.Parse<MissedRunPolicy>(spec.MissedRunPolicy);
        return new ScheduleDefinition
        {
            Name = spec.Name,
            Task = spec.Task,
            Recurrence = ScheduleDefinition.ParseRecurrence(spec.Cron, Duration("interval", spec.Interval), spec.TimeZone),
            Queue = spec.Queue,
            Args = spec.Args,
            Expires = Duration("expires", spec.Expires),
            MissedRunPolicy = policy,
            StartingDeadline = Duration("startingDeadline", spec.StartingDeadline),
            Suspend = spec.Suspend,
        };
    }
}
