using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;

namespace Celeriac.Operator.Autoscaling;

/// <summary>What a pool's replicas are computed from (docs/autoscaling.md).</summary>
public enum ScalingMetric
{
    /// <summary>desired = ceil(depth / targetDepthPerReplica).</summary>
    Depth,

    /// <summary>desired = ceil((ready + in flight) / (concurrency × targetUtilization)).</summary>
    Slots,
}

/// <summary>A pool's autoscaling settings with the defaults applied (the CRD's defaults, repeated for objects written without them).</summary>
public sealed record ScalingPolicy
{
    public int MinReplicas { get; init; } = 1;
    public int MaxReplicas { get; init; } = 10;
    public int TargetDepthPerReplica { get; init; } = 100;

    public ScalingMetric Metric { get; init; } = ScalingMetric.Depth;

    /// <summary>Tasks one replica runs at once (the pool's concurrency): the slots metric's capacity per replica.</summary>
    public int Concurrency { get; init; } = PoolSpec.DefaultConcurrency;

    /// <summary>Percent (1–100) of a replica's slots the slots metric aims to fill.</summary>
    public int TargetUtilization { get; init; } = 80;

    /// <summary>At or below this depth the pool is idle: it goes to <see cref="MinReplicas"/> (zero when that is 0).</summary>
    public long ActivationDepth { get; init; }

    /// <summary>Whether messages received but not yet acknowledged (SQS not visible, Service Bus locked, Redis pending) count.
    /// The slots metric always counts them: a running task holds a slot.</summary>
    public bool CountInFlight { get; init; } = true;

    /// <summary>At most this many replicas added by one decision.</summary>
    public int MaxScaleUpStep { get; init; } = 10;

    public TimeSpan ScaleDownStabilization { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan PollingInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a pool at zero replicas is read, so that the first message starts a worker within about this long.</summary>
    public TimeSpan PollingIntervalAtZero { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>When set, the pool also scales on the age of its oldest ready message: the larger recommendation wins.</summary>
    public TimeSpan? TargetQueueWait { get; init; }

    /// <summary>Whether in-flight messages count towards the depth the maths uses.</summary>
    public bool CountsInFlight => Metric == ScalingMetric.Slots || CountInFlight;

    /// <summary>
    /// Messages one replica is meant to hold, as a whole number for engines that take one (KEDA's triggers): targetDepthPerReplica,
    /// or concurrency × targetUtilization rounded down (at least 1). The builtin maths divides by the exact product instead.
    /// </summary>
    public int TargetPerReplica => Metric == ScalingMetric.Slots ? Math.Max(1, Concurrency * TargetUtilization / 100) : TargetDepthPerReplica;

    public static ScalingPolicy From(AutoscalingSpec spec, int concurrency = PoolSpec.DefaultConcurrency)
    {
        var defaults = new ScalingPolicy();
        return new ScalingPolicy
        {
            MinReplicas = spec.MinReplicas ?? defaults.MinReplicas,
            MaxReplicas = spec.MaxReplicas ?? defaults.MaxReplicas,
            TargetDepthPerReplica = Math.Max(1, spec.TargetDepthPerReplica ?? defaults.TargetDepthPerReplica),
            Metric = spec.Metric == AutoscalingSpec.SlotsMetric ? ScalingMetric.Slots : defaults.Metric,
            Concurrency = Math.Max(1, concurrency),
            TargetUtilization = Math.Clamp(spec.TargetUtilization ?? defaults.TargetUtilization, 1, 100),
            ActivationDepth = spec.ActivationDepth ?? defaults.ActivationDepth,
            CountInFlight = spec.CountInFlight ?? defaults.CountInFlight,
            MaxScaleUpStep = Math.Max(1, spec.MaxScaleUpStep ?? defaults.MaxScaleUpStep),
            ScaleDownStabilization = KubeDuration.TryParse(spec.ScaleDownStabilization, out var window) ? window : defaults.ScaleDownStabilization,
            PollingInterval = KubeDuration.TryParse(spec.PollingInterval, out var every) ? every : defaults.PollingInterval,
            PollingIntervalAtZero = KubeDuration.TryParse(spec.PollingIntervalAtZero, out var atZero) ? atZero : defaults.PollingIntervalAtZero,
            TargetQueueWait = KubeDuration.TryParse(spec.TargetQueueWait, out var wait) && wait > TimeSpan.Zero ? wait : null,
        };
    }

    /// <summary>The policy of a pool with autoscaling.</summary>
    public static ScalingPolicy From(PoolSpec pool) => From(pool.Autoscaling!, pool.Concurrency ?? PoolSpec.DefaultConcurrency);
}
