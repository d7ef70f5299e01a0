using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;
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

        var policy = spec.MissedRunPolicy switch
        {
            null or "Skip" => MissedRunPolicy.Skip,
            "RunOnce" => MissedRunPolicy.RunOnce,
            _ => throw new FormatException($"missedRunPolicy '{spec.MissedRunPolicy}' must be Skip or RunOnce"),
        };
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
            Suspend = spec.Suspend ?? false,
        };
    }
}
