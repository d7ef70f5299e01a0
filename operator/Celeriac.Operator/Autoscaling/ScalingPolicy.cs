using Celeriac.Operator.Model;

namespace Celeriac.Operator.Autoscaling;

/// <summary>What a pool's replicas are computed from (docs/autoscaling.md).</summary>
public enum ScalingMetric
{
    /// <summary>desired = ceil(depth / targetDepthPerReplica).</summary>
    Depth,

    /// <summary>desired = ceil((ready + in flight) / (concurrency × targetUtilization)).</summary>
    Slots,
}

/// <summary>A pool's autoscaling settings as the scaling maths reads them; unset, they are <see cref="AutoscalingSpec"/>'s defaults.</summary>
public sealed record ScalingPolicy
{
    private static readonly AutoscalingSpec Defaults = new();

    public int MinReplicas { get; init; } = Defaults.MinReplicas;
    public int MaxReplicas { get; init; } = Defaults.MaxReplicas;
    public int TargetDepthPerReplica { get; init; } = Defaults.TargetDepthPerReplica;

    public ScalingMetric Metric { get; init; } = ScalingMetric.Depth;

    /// <summary>Tasks one replica runs at once (the pool's concurrency): the slots metric's capacity per replica.</summary>
    public int Concurrency { get; init; } = new PoolSpec().Concurrency;

    /// <summary>Percent (1–100) of a replica's slots the slots metric aims to fill.</summary>
    public int TargetUtilization { get; init; } = Defaults.TargetUtilization;

    /// <summary>At or below this depth the pool is idle: it goes to <see cref="MinReplicas"/> (zero when that is 0).</summary>
    public long ActivationDepth { get; init; } = Defaults.ActivationDepth;

    /// <summary>Whether messages received but not yet acknowledged (SQS not visible, Service Bus locked, Redis pending) count.
    /// The slots metric always counts them: a running task holds a slot.</summary>
    public bool CountInFlight { get; init; } = Defaults.CountInFlight;

    /// <summary>At most this many replicas added by one decision.</summary>
    public int MaxScaleUpStep { get; init; } = Defaults.MaxScaleUpStep;

    public TimeSpan ScaleDownStabilization { get; init; } = KubeDuration.Parse(Defaults.ScaleDownStabilization);
    public TimeSpan PollingInterval { get; init; } = KubeDuration.Parse(Defaults.PollingInterval);

    /// <summary>How often a pool at zero replicas is read, so that the first message starts a worker within about this long.</summary>
    public TimeSpan PollingIntervalAtZero { get; init; } = KubeDuration.Parse(Defaults.PollingIntervalAtZero);

    /// <summary>How long a scale-in that would remove a busy worker waits for it to become idle (builtin engine); then it proceeds.</summary>
    public TimeSpan ScaleInBusyWait { get; init; } = KubeDuration.Parse(Defaults.ScaleInBusyWait);

    /// <summary>When set, the pool also scales on the age of its oldest ready message: the larger recommendation wins.</summary>
    public TimeSpan? TargetQueueWait { get; init; }

    /// <summary>Whether in-flight messages count towards the depth the maths uses.</summary>
    public bool CountsInFlight => Metric == ScalingMetric.Slots || CountInFlight;

    /// <summary>
    /// Messages one replica is meant to hold, as a whole number for engines that take one (KEDA's triggers): targetDepthPerReplica,
    /// or concurrency × targetUtilization rounded down (at least 1). The builtin maths divides by the exact product instead.
    /// </summary>
    public int TargetPerReplica => Metric == ScalingMetric.Slots ? Math.Max(1, Concurrency * TargetUtilization / 100) : TargetDepthPerReplica;

    /// <param name="spec">A validated spec (its durations parse).</param>
    /// <param name="concurrency">The pool's concurrency.</param>
    public static ScalingPolicy From(AutoscalingSpec spec, int concurrency) => new()
    {
        MinReplicas = spec.MinReplicas,
        MaxReplicas = spec.MaxReplicas,
        TargetDepthPerReplica = spec.TargetDepthPerReplica,
        Metric = spec.Metric == AutoscalingSpec.SlotsMetric ? ScalingMetric.Slots : ScalingMetric.Depth,
        Concurrency = concurrency,
        TargetUtilization = spec.TargetUtilization,
        ActivationDepth = spec.ActivationDepth,
        CountInFlight = spec.CountInFlight,
        MaxScaleUpStep = spec.MaxScaleUpStep,
        ScaleDownStabilization = KubeDuration.Parse(spec.ScaleDownStabilization),
        PollingInterval = KubeDuration.Parse(spec.PollingInterval),
        PollingIntervalAtZero = KubeDuration.Parse(spec.PollingIntervalAtZero),
        ScaleInBusyWait = KubeDuration.Parse(spec.ScaleInBusyWait),
        TargetQueueWait = spec.TargetQueueWait is { } wait ? KubeDuration.Parse(wait) : null,
    };

    /// <summary>The policy of a validated pool with autoscaling.</summary>
    public static ScalingPolicy From(PoolSpec pool) => From(pool.Autoscaling!, pool.Concurrency);
}
