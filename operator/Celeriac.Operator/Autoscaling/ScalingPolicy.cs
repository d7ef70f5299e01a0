using Celeriac.Operator.Model;

namespace Celeriac.Operator.Autoscaling;

/// <summary>A pool's autoscaling settings as the scaling maths reads them; unset, they are <see cref="AutoscalingSpec"/>'s defaults.</summary>
public sealed record ScalingPolicy
{
    private static readonly AutoscalingSpec Defaults = new();

    public int MinReplicas { get; init; } = Defaults.MinReplicas;
    public int MaxReplicas { get; init; } = Defaults.MaxReplicas;
    public int TargetDepthPerReplica { get; init; } = Defaults.TargetDepthPerReplica;

    /// <summary>At or below this depth the pool is idle: it goes to <see cref="MinReplicas"/> (zero when that is 0).</summary>
    public long ActivationDepth { get; init; } = Defaults.ActivationDepth;

    /// <summary>Whether messages received but not yet acknowledged (SQS not visible, Service Bus locked, Redis pending) count.</summary>
    public bool CountInFlight { get; init; } = Defaults.CountInFlight;

    /// <summary>At most this many replicas added by one decision.</summary>
    public int MaxScaleUpStep { get; init; } = Defaults.MaxScaleUpStep;

    public TimeSpan ScaleDownStabilization { get; init; } = KubeDuration.Parse(Defaults.ScaleDownStabilization);
    public TimeSpan PollingInterval { get; init; } = KubeDuration.Parse(Defaults.PollingInterval);

    /// <param name="spec">A validated spec (its durations parse).</param>
    public static ScalingPolicy From(AutoscalingSpec spec) => new()
    {
        MinReplicas = spec.MinReplicas,
        MaxReplicas = spec.MaxReplicas,
        TargetDepthPerReplica = spec.TargetDepthPerReplica,
        ActivationDepth = spec.ActivationDepth,
        CountInFlight = spec.CountInFlight,
        MaxScaleUpStep = spec.MaxScaleUpStep,
        ScaleDownStabilization = KubeDuration.Parse(spec.ScaleDownStabilization),
        PollingInterval = KubeDuration.Parse(spec.PollingInterval),
    };
}
