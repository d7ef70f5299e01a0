namespace Celeriac.Scheduling;

/// <summary>What a scheduler does with slots that passed while it was not running (downtime, failover).</summary>
public enum MissedRunPolicy
{
    /// <summary>Missed slots are dropped; only a slot handled within <see cref="SchedulePlanner.OnTimeTolerance"/> runs.</summary>
    Skip,

    /// <summary>One catch-up run (at the latest missed slot) for all missed slots, if that slot is within the starting deadline.</summary>
    RunOnce,
}
