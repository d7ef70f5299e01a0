using System.Collections.Immutable;

namespace Celeriac.Operator.Autoscaling;

/// <summary>What one pool's scaler remembers between decisions: the recent recommendations (for the scale-down window) and the last scale.</summary>
public sealed record ScalerState
{
    public static ScalerState Initial { get; } = new();

    /// <summary>Recommendations within the stabilization window, oldest first.</summary>
    public ImmutableList<(DateTimeOffset At, int Replicas)> Recommendations { get; init; } = [];

    public DateTimeOffset? LastScaleTime { get; init; }
    public string? LastScaleReason { get; init; }

    /// <summary>False until the first decision and after a failed read: a fresh scaler (new leader, restart, broker back)
    /// counts the current replicas as a recommendation, so it never scales down before a full window.</summary>
    public bool Started { get; init; }

    /// <summary>Since when a scale-in has waited for busy workers to become idle; null when none waits.</summary>
    public DateTimeOffset? BusyWaitSince { get; init; }
}
