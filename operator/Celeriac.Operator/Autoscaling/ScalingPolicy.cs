using Celeriac.Operator.Model;
using Celeriac.Operator.Rendering;

namespace Celeriac.Operator.Autoscaling;

/// <summary>A pool's autoscaling settings with the defaults applied (the CRD's defaults, repeated for objects written without them).</summary>
public sealed record ScalingPolicy
{
    public int MinReplicas { get; init; } = 1;
    public int MaxReplicas { get; init; } = 10;
    public int TargetDepthPerReplica { get; init; } = 100;

    /// <summary>At or below this depth the pool is idle: it goes to <see cref="MinReplicas"/> (zero when that is 0).</summary>
    public long ActivationDepth { get; init; }

    /// <summary>Whether messages received but not yet acknowledged (SQS not visible, Service Bus locked, Redis pending) count.</summary>
    public bool CountInFlight { get; init; } = true;

    /// <summary>At most this many replicas added by one decision.</summary>
    public int MaxScaleUpStep { get; init; } = 10;

    public TimeSpan ScaleDownStabilization { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan PollingInterval { get; init; } = TimeSpan.FromSeconds(10);

    public static ScalingPolicy From(AutoscalingSpec spec)
    {
        var defaults = new ScalingPolicy();
        return new ScalingPolicy
        {
            MinReplicas = spec.MinReplicas ?? defaults.MinReplicas,
            MaxReplicas = spec.MaxReplicas ?? defaults.MaxReplicas,
            TargetDepthPerReplica = Math.Max(1, spec.TargetDepthPerReplica ?? defaults.TargetDepthPerReplica),
            ActivationDepth = spec.ActivationDepth ?? defaults.ActivationDepth,
            CountInFlight = spec.CountInFlight ?? defaults.CountInFlight,
            MaxScaleUpStep = Math.Max(1, spec.MaxScaleUpStep ?? defaults.MaxScaleUpStep),
            ScaleDownStabilization = KubeDuration.TryParse(spec.ScaleDownStabilization, out var window) ? window : defaults.ScaleDownStabilization,
            PollingInterval = KubeDuration.TryParse(spec.PollingInterval, out var every) ? every : defaults.PollingInterval,
        };
    }
}
