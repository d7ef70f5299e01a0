namespace Celeriac.Scheduling;

/// <summary>What one pass over a schedule did, and the state to remember.</summary>
/// <param name="Enqueued">The task id sent in this pass, if any.</param>
/// <param name="AlreadyEnqueued">The due run had been claimed by another scheduler, or an earlier pass whose state was not recorded: not sent again.</param>
/// <param name="Claim">The owner token of this pass's claim on <paramref name="Enqueued"/>, to release once the state is recorded.</param>
public sealed record ScheduleOutcome(ScheduleState State, DateTimeOffset? Slot, string? Enqueued, bool AlreadyEnqueued, long Missed, string? Claim = null);
