namespace Celeriac.Operator.Autoscaling;

/// <summary>The outcome of one decision for a pool.</summary>
/// <param name="Replicas">The replicas the pool should have now (the current count when nothing changes).</param>
/// <param name="Recommended">ceil(depth / target) within the bounds, before the step limit and the stabilization window; null when the depth is unknown.</param>
/// <param name="Depth">The depth the decision counted (ready, plus in flight when counted); null when the broker could not be read.</param>
/// <param name="Reason">ScaleUp, ScaleDown, Steady, Stabilizing, WaitingForBusyWorkers or BrokerUnreachable.</param>
public sealed record ScaleDecision(int Current, int Replicas, int? Recommended, long? Depth, string Reason, string Message)
{
    public const string ScaleUp = "ScaleUp";
    public const string ScaleDown = "ScaleDown";
    public const string Steady = "Steady";
    public const string Stabilizing = "Stabilizing";
    public const string BrokerUnreachable = "BrokerUnreachable";
    public const string WaitingForBusyWorkers = "WaitingForBusyWorkers";

    public bool Changed => Replicas != Current;

    /// <summary>The age of the pool's oldest ready message the decision saw, when it was read.</summary>
    public TimeSpan? OldestReadyAge { get; init; }

    /// <summary>The replicas the maths wanted before a wait for busy workers held some back (equal to <see cref="Replicas"/> when none did).</summary>
    public int Wanted { get; init; } = Replicas;

    /// <summary>Since when this decision's scale-in has waited for busy workers; null when it does not wait.</summary>
    public DateTimeOffset? BusyWaitSince { get; init; }

    /// <summary>This decision began a wait for busy workers (its Event is recorded once, now).</summary>
    public bool BusyWaitStarted { get; init; }

    /// <summary>This decision ends a wait at its limit: the scale-in removes busy workers.</summary>
    public bool BusyWaitExpired { get; init; }
}
