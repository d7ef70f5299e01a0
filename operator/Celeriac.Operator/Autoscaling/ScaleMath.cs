using System.Globalization;
using Celeriac.Brokers;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Autoscaling;

/// <summary>
/// The one place for the scaling maths, a pure function of the policy, the scaler's memory, the current replicas
/// and a depth reading (docs/autoscaling.md):
/// <list type="number">
/// <item>depth = ready (+ in flight when counted, always for the slots metric); delayed messages do not count until they are due.</item>
/// <item>recommended = 0 when depth ≤ activationDepth, else ceil(depth / targetDepthPerReplica) for the depth metric,
/// ceil(depth / (concurrency × targetUtilization)) for the slots metric; with targetQueueWait, the larger of that and,
/// when the oldest ready message has waited longer than the target, ceil(max(current, 1) × age / target) (the HPA's
/// ratio rule on the wait); clamped to [min, max].</item>
/// <item>above the current count: scale up at once, by at most maxScaleUpStep.</item>
/// <item>below: scale down to the highest recommendation of the stabilization window (as the HPA does), so a depth
/// oscillating around a threshold holds the higher count instead of flapping.</item>
/// <item>below, with the count of idle pods known (from the worker registry): scale in only by as many replicas as pods are
/// idle, since the ReplicaSet removes idle pods first (their deletion cost is lowest), and hold the rest until more
/// pods are idle or the scale-in has waited scaleInBusyWait; then scale in anyway. Unknown idle pods: scale in as decided.</item>
/// <item>no reading (broker unreachable): keep the current count; after the outage the current count counts as a
/// recommendation again, so the pool scales down only after a full window of good readings.</item>
/// </list>
/// </summary>
public static class ScaleMath
{
    /// <param name="oldestReadyAge">How long the oldest ready message of the pool's queues has waited; null when none is ready or the broker cannot tell.</param>
    /// <param name="idlePods">How many of the current replicas run no task (a replica without a pod counts as idle); null when unknown (no registry), and then a scale-in does not wait.</param>
    public static (ScaleDecision Decision, ScalerState State) Decide(ScalingPolicy policy, ScalerState state, int current, QueueDepth? reading, DateTimeOffset now,
        string? error = null, TimeSpan? oldestReadyAge = null, int? idlePods = null)
    {
        if (reading is not { } depth)
        {
            return (new ScaleDecision(current, current, null, null, ScaleDecision.BrokerUnreachable,
                $"the broker could not be read ({error ?? "no reading"}); keeping {current} replicas"), state with { Started = false, BusyWaitSince = null });
        }

        var counted = depth.Ready + (policy.CountsInFlight ? depth.InFlight : 0);
        var byWait = counted <= policy.ActivationDepth ? 0 : WaitReplicas(policy, current, oldestReadyAge);
        var raw = counted <= policy.ActivationDepth ? 0 : Math.Max(Replicas(policy, counted), byWait);
        var recommended = Math.Clamp(raw, policy.MinReplicas, policy.MaxReplicas);

        var since = now - policy.ScaleDownStabilization;
        var history = state.Recommendations.RemoveAll(r => r.At <= since);
        if (!state.Started) history = history.Add((now, Math.Clamp(current, policy.MinReplicas, policy.MaxReplicas)));
        history = history.Add((now, recommended));

        int next;
        string reason;
        if (recommended > current)
        {
            next = Math.Min(recommended, current + policy.MaxScaleUpStep);
            reason = ScaleDecision.ScaleUp;
        }
        else
        {
            var stabilized = history.Max(r => r.Replicas);
            next = Math.Min(current, stabilized);
            reason = next < current ? ScaleDecision.ScaleDown : recommended < current ? ScaleDecision.Stabilizing : ScaleDecision.Steady;
        }
        // The bounds hold at once, whatever the window says (e.g. after maxReplicas was lowered).
        var bounded = Math.Clamp(next, policy.MinReplicas, policy.MaxReplicas);
        if (bounded != next) reason = bounded > current ? ScaleDecision.ScaleUp : ScaleDecision.ScaleDown;
        next = bounded;

        var target = policy.Metric == ScalingMetric.Slots
            ? string.Create(CultureInfo.InvariantCulture, $"{policy.Concurrency} slots at {policy.TargetUtilization}% per replica")
            : string.Create(CultureInfo.InvariantCulture, $"target {policy.TargetDepthPerReplica} per replica");
        var wait = policy.TargetQueueWait is { } targetWait
            ? string.Create(CultureInfo.InvariantCulture, $", oldest ready {(oldestReadyAge is { } age ? $"{age.TotalSeconds:0.#} s" : "none")} (target wait {targetWait.TotalSeconds:0.#} s{(byWait > 0 ? $": {byWait} replicas" : "")})")
            : "";
        var message = string.Create(CultureInfo.InvariantCulture,
            $"depth {counted} ({target}, activation above {policy.ActivationDepth}){wait}: recommended {recommended}, {current} -> {next}");

        var wanted = next;
        DateTimeOffset? waitSince = null;
        var expired = false;
        if (next < current && policy.ScaleInBusyWait > TimeSpan.Zero && idlePods is { } idle && Math.Max(next, current - Math.Max(0, idle)) is var allowed && allowed > next)
        {
            var waitingSince = state.BusyWaitSince ?? now;
            var busy = string.Create(CultureInfo.InvariantCulture, $"{current - Math.Max(0, idle)} of {current} workers run tasks");
            if (now - waitingSince < policy.ScaleInBusyWait)
            {
                waitSince = waitingSince;
                next = allowed;
                reason = next < current ? ScaleDecision.ScaleDown : ScaleDecision.WaitingForBusyWorkers;
                message += string.Create(CultureInfo.InvariantCulture,
                    $"; {busy}, so the scale-in to {wanted} waits for them (at most {KubeDuration.Format(policy.ScaleInBusyWait)}): {current} -> {next}");
            }
            else
            {
                expired = true;
                message += string.Create(CultureInfo.InvariantCulture,
                    $"; {busy}, and the scale-in waited {KubeDuration.Format(policy.ScaleInBusyWait)} for them: it removes busy workers");
            }
        }
        var decision = new ScaleDecision(current, next, recommended, counted, reason, message)
        {
            OldestReadyAge = oldestReadyAge,
            Wanted = wanted,
            BusyWaitSince = waitSince,
            BusyWaitStarted = waitSince is not null && state.BusyWaitSince is null,
            BusyWaitExpired = expired,
        };
        var nextState = state with
        {
            Started = true,
            BusyWaitSince = waitSince,
            Recommendations = history,
            LastScaleTime = decision.Changed ? now : state.LastScaleTime,
            LastScaleReason = decision.Changed ? $"{reason}: {message}" : state.LastScaleReason,
        };
        return (decision, nextState);
    }

    /// <summary>
    /// The wait recommendation: 0 (no opinion) without a target, without a ready message, or when the oldest waited no
    /// longer than the target; otherwise the current count (at least 1) grown by age / target, rounded up.
    /// </summary>
    public static int WaitReplicas(ScalingPolicy policy, int current, TimeSpan? oldestReadyAge)
    {
        if (policy.TargetQueueWait is not { } target || oldestReadyAge is not { } age || age <= target) return 0;
        return (int)Math.Min(int.MaxValue, Math.Ceiling(Math.Max(current, 1) * (age.TotalMilliseconds / target.TotalMilliseconds)));
    }

    /// <summary>The replicas a depth above the activation needs: ceil(depth / per replica), in integers (the slots
    /// metric's per-replica capacity is concurrency × utilization / 100, so both sides are multiplied by 100).</summary>
    public static int Replicas(ScalingPolicy policy, long counted)
    {
        var (numerator, perReplica) = policy.Metric == ScalingMetric.Slots
            ? (counted * 100, (long)policy.Concurrency * policy.TargetUtilization)
            : (counted, policy.TargetDepthPerReplica);
        return (int)Math.Min(int.MaxValue, (numerator + perReplica - 1) / perReplica);
    }
}
