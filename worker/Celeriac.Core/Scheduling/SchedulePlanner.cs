namespace Celeriac.Scheduling;

/// <summary>
/// Decides, from the remembered state alone, which slot (if any) to run now. Level-triggered: given the same
/// state and clock it decides the same, so a restarted scheduler neither skips nor repeats a slot.
/// </summary>
public static class SchedulePlanner
{
    /// <summary>How late a slot may be handled and still count as on time (a slow pass, a leader failover).</summary>
    public static readonly TimeSpan OnTimeTolerance = TimeSpan.FromMinutes(1);

    private const int MaxScan = 100_000;

    /// <param name="startingDeadline">RunOnce: the latest missed slot runs only if it is at most this late (null: no bound).</param>
    public static ScheduleDecision Plan(Recurrence recurrence, MissedRunPolicy policy, TimeSpan? startingDeadline, ScheduleState state, DateTimeOffset now)
    {
        // Never seen before: nothing was missed; the first slot is the next one.
        if (state.NextScheduleTime is null && state.LastScheduleTime is null) return new ScheduleDecision(null, 0, recurrence.Next(now));
        // The first slot not yet handled, in the current expression (the spec may have changed since the state was written).
        var cursor = state.NextScheduleTime is { } handledBefore
            ? recurrence.Next(handledBefore - TimeSpan.FromTicks(1))
            : recurrence.Next(state.LastScheduleTime!.Value);
        // Every slot up to now was handled: the next one is simply the first after now.
        if (cursor is null || cursor > now) return new ScheduleDecision(null, 0, recurrence.Next(now));

        var latest = cursor.Value;
        long due = 1;
        // After a long downtime of a frequent schedule, count from a day back rather than walk every slot.
        if (now - latest > TimeSpan.FromDays(1) && recurrence.Next(now - TimeSpan.FromDays(1)) is { } recent && recent <= now && recent > latest)
        {
            latest = recent;
            due = 2;
        }
        for (var i = 0; i < MaxScan && recurrence.Next(latest) is { } next && next <= now; i++)
        {
            latest = next;
            due++;
        }

        var tolerance = policy == MissedRunPolicy.RunOnce
            ? startingDeadline ?? TimeSpan.MaxValue
            : (startingDeadline is { } d && d < OnTimeTolerance ? d : OnTimeTolerance);
        var run = now - latest <= tolerance;
        return new ScheduleDecision(run ? latest : null, due - (run ? 1 : 0), recurrence.Next(now));
    }
}
