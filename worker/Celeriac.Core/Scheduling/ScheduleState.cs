namespace Celeriac.Scheduling;

/// <summary>
/// What a scheduler remembers of one schedule between passes (the TaskQueue's status, or the store on a laptop):
/// the slot of the last run, its task id, and the next slot not yet handled.
/// </summary>
public sealed record ScheduleState(DateTimeOffset? LastScheduleTime, string? LastTaskId, DateTimeOffset? NextScheduleTime);
