using Celeriac.Brokers;

namespace Celeriac.Operator.Autoscaling;

/// <summary>Runs <see cref="ScaleMath"/> over a scripted depth series, one decision per polling interval, as the operator would.</summary>
public static class ScaleSimulation
{
    public sealed record Step(TimeSpan At, long? Depth, ScaleDecision Decision);

    /// <param name="depthAt">The depth (ready messages) at a time since the start; null is a failed read.</param>
    public static IReadOnlyList<Step> Run(ScalingPolicy policy, Func<TimeSpan, long?> depthAt, TimeSpan duration, int initialReplicas, ScalerState? state = null)
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var current = initialReplicas;
        var memory = state ?? ScalerState.Initial;
        var steps = new List<Step>();
        for (var at = TimeSpan.Zero; at <= duration; at += policy.PollingInterval)
        {
            var depth = depthAt(at);
            var reading = depth is { } d ? new QueueDepth(d, 0, 0) : (QueueDepth?)null;
            (var decision, memory) = ScaleMath.Decide(policy, memory, current, reading, start + at, depth is null ? "scripted failure" : null);
            steps.Add(new Step(at, depth, decision));
            current = decision.Replicas;
        }
        return steps;
    }

    public static int ScaleEvents(IReadOnlyList<Step> steps) => steps.Count(s => s.Decision.Changed);
}
