namespace Celeriac.Scheduling;

/// <param name="RunSlot">The slot to enqueue now, or null.</param>
/// <param name="Missed">Due slots that are not run (dropped by the policy or past the deadline).</param>
/// <param name="Next">The next slot after now (null when the expression never fires again).</param>
public sealed record ScheduleDecision(DateTimeOffset? RunSlot, long Missed, DateTimeOffset? Next);
