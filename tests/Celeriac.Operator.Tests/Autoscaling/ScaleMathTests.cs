using Celeriac.Brokers;
using Celeriac.Operator.Autoscaling;

namespace Celeriac.Operator.Tests.Autoscaling;

/// <summary>The scaling maths on scripted depth series: the replica trajectory, one decision per polling interval.</summary>
public sealed class ScaleMathTests
{
    private static readonly ScalingPolicy Policy = new()
    {
        MinReplicas = 1,
        MaxReplicas = 20,
        TargetDepthPerReplica = 100,
        MaxScaleUpStep = 5,
        PollingInterval = TimeSpan.FromSeconds(10),
        ScaleDownStabilization = TimeSpan.FromSeconds(60),
    };

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void A_burst_scales_up_within_one_polling_interval_in_bounded_steps_and_back_down_after_the_window()
    {
        var burst = S(65);
        var drained = S(305);
        var steps = ScaleSimulation.Run(Policy, t => t >= burst && t < drained ? 5000 : 0, S(600), initialReplicas: 1);

        var firstUp = steps.First(s => s.Decision.Changed);
        Assert.Equal(ScaleDecision.ScaleUp, firstUp.Decision.Reason);
        Assert.InRange(firstUp.At - burst, TimeSpan.Zero, Policy.PollingInterval);
        // 1 -> 6 -> 11 -> 16 -> 20: the step limit, then the maximum.
        Assert.Equal([1, 6, 11, 16, 20], Trajectory(steps).Take(5));
        Assert.All(steps, s => Assert.InRange(s.Decision.Replicas, Policy.MinReplicas, Policy.MaxReplicas));

        var firstDown = steps.First(s => s.At > drained && s.Decision.Changed);
        Assert.Equal(ScaleDecision.ScaleDown, firstDown.Decision.Reason);
        Assert.Equal(1, firstDown.Decision.Replicas);
        Assert.InRange(firstDown.At - drained, Policy.ScaleDownStabilization - Policy.PollingInterval, Policy.ScaleDownStabilization + Policy.PollingInterval);
        Assert.All(steps.Where(s => s.At > drained && s.At < firstDown.At), s => Assert.Equal(ScaleDecision.Stabilizing, s.Decision.Reason));
        Assert.Equal(5, ScaleSimulation.ScaleEvents(steps));
    }

    [Fact]
    public void A_slow_ramp_is_followed_step_by_step_and_never_scaled_down()
    {
        var steps = ScaleSimulation.Run(Policy, t => (long)(t.TotalSeconds * 1), S(1800), initialReplicas: 1);
        for (var i = 0; i < steps.Count; i++)
        {
            var expected = Math.Clamp((int)Math.Ceiling(steps[i].Depth!.Value / 100.0), 1, 20);
            Assert.Equal(expected, steps[i].Decision.Replicas);
            if (i > 0) Assert.True(steps[i].Decision.Replicas >= steps[i - 1].Decision.Replicas, $"scaled down at {steps[i].At} during a ramp");
        }
        Assert.Equal(18, steps[^1].Decision.Replicas);
    }

    [Fact]
    public void A_depth_oscillating_around_a_threshold_scales_once_and_does_not_flap()
    {
        // 90 / 110 messages every other poll for an hour: the recommendation alternates 1 and 2.
        var steps = ScaleSimulation.Run(Policy, t => (long)(t.TotalSeconds / 10) % 2 == 0 ? 90 : 110, TimeSpan.FromHours(1), initialReplicas: 1);
        Assert.Equal(1, ScaleSimulation.ScaleEvents(steps));
        Assert.Equal(2, steps[^1].Decision.Replicas);

        // A wave of 50 to 450 messages with a period under the 60 s window holds its peak's count: 1 -> 3 -> 5, then nothing.
        var wave = ScaleSimulation.Run(Policy, t => 250 + (long)(200 * Math.Sin(2 * Math.PI * t.TotalSeconds / 50)), TimeSpan.FromHours(1), initialReplicas: 1);
        Assert.Equal(2, ScaleSimulation.ScaleEvents(wave));
        Assert.Equal(5, wave[^1].Decision.Replicas);
        Assert.All(wave, s => Assert.False(s.Decision.Reason == ScaleDecision.ScaleDown, $"scaled down at {s.At}"));
    }

    [Fact]
    public void Broker_errors_keep_the_current_count_and_never_scale_to_zero()
    {
        var policy = Policy with { MinReplicas = 0 };
        // Busy, then the broker is unreachable for 10 minutes (far longer than the window), then it answers: empty.
        var steps = ScaleSimulation.Run(policy, t => t < S(60) ? 300 : t < S(660) ? null : 0, S(900), initialReplicas: 3);

        Assert.All(steps.Where(s => s.At >= S(60) && s.At < S(660)), s =>
        {
            Assert.Equal(ScaleDecision.BrokerUnreachable, s.Decision.Reason);
            Assert.Equal(3, s.Decision.Replicas);
            Assert.Null(s.Decision.Depth);
        });
        // After the outage the pool scales down only after a full window of good readings.
        var firstDown = steps.First(s => s.Decision.Changed);
        Assert.True(firstDown.At >= S(660) + policy.ScaleDownStabilization, $"scaled at {firstDown.At}");
        Assert.Equal(0, steps[^1].Decision.Replicas);
    }

    [Fact]
    public void Scale_from_zero_waits_for_the_activation_depth_and_returns_to_zero_when_idle()
    {
        var policy = Policy with { MinReplicas = 0, ActivationDepth = 5 };
        var steps = ScaleSimulation.Run(policy, t => t < S(100) ? 0 : t < S(200) ? 5 : t < S(300) ? 150 : 0, S(600), initialReplicas: 0);

        Assert.All(steps.Where(s => s.At < S(200)), s => Assert.Equal(0, s.Decision.Replicas));
        var up = steps.First(s => s.Decision.Changed);
        Assert.Equal(S(200), up.At);
        Assert.Equal(2, up.Decision.Replicas);
        // 150 messages need 2 replicas at 100 each; once they are gone the pool goes back to zero after the window.
        var down = steps.Last(s => s.Decision.Changed);
        Assert.Equal(0, down.Decision.Replicas);
        Assert.InRange(down.At, S(300) + policy.ScaleDownStabilization - policy.PollingInterval, S(300) + policy.ScaleDownStabilization + policy.PollingInterval);
    }

    [Fact]
    public void In_flight_messages_count_only_when_asked()
    {
        var reading = new QueueDepth(Ready: 100, InFlight: 300, Delayed: 1000);
        var now = DateTimeOffset.UnixEpoch;
        var (counted, _) = ScaleMath.Decide(Policy, ScalerState.Initial, 1, reading, now);
        var (ready, _) = ScaleMath.Decide(Policy with { CountInFlight = false }, ScalerState.Initial, 1, reading, now);
        Assert.Equal(400, counted.Depth);
        Assert.Equal(4, counted.Replicas);
        Assert.Equal(100, ready.Depth);
        Assert.Equal(1, ready.Replicas);
    }

    [Theory]
    // concurrency 8 at 80 %: 6.4 tasks per replica; ready and in flight both count, delayed never.
    [InlineData(8, 80, 0, 0, 0)]
    [InlineData(8, 80, 6, 0, 1)]
    [InlineData(8, 80, 4, 3, 2)] // 7 / 6.4 -> 2 (a floor of 6 per replica would give the same; 64 below shows the exact product)
    [InlineData(8, 80, 40, 24, 10)] // 64 / 6.4 = 10 exactly
    [InlineData(8, 80, 41, 24, 11)]
    [InlineData(8, 100, 0, 16, 2)] // a pool that is full but has nothing waiting keeps its replicas
    [InlineData(1, 50, 3, 0, 6)]
    public void The_slots_metric_sizes_replicas_by_concurrency_and_utilization(int concurrency, int utilization, long ready, long inFlight, int expected)
    {
        var policy = Policy with { MinReplicas = 0, MaxReplicas = 100, MaxScaleUpStep = 100, Metric = ScalingMetric.Slots, Concurrency = concurrency, TargetUtilization = utilization, CountInFlight = false };
        var (decision, _) = ScaleMath.Decide(policy, ScalerState.Initial, 0, new QueueDepth(ready, inFlight, Delayed: 500), DateTimeOffset.UnixEpoch);
        Assert.Equal(ready + inFlight, decision.Depth);
        Assert.Equal(expected, decision.Recommended);
        Assert.Equal(expected, decision.Replicas);
        Assert.Contains($"{concurrency} slots at {utilization}%", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_slots_metric_and_the_depth_metric_differ_only_in_the_divisor()
    {
        // The same burst, once with 100 messages per replica, once with 8 slots at 80 %: the slots pool is far larger.
        var depth = ScaleSimulation.Run(Policy, t => t >= S(30) ? 400 : 0, S(120), initialReplicas: 1);
        var slots = ScaleSimulation.Run(Policy with { Metric = ScalingMetric.Slots }, t => t >= S(30) ? 400 : 0, S(120), initialReplicas: 1);
        Assert.Equal(4, depth[^1].Decision.Replicas);
        // 400 / 6.4 = 62.5 -> 63, bounded by maxReplicas 20 after steps of 5.
        Assert.Equal(63, ScaleMath.Replicas(Policy with { Metric = ScalingMetric.Slots }, 400));
        Assert.Equal(20, slots[^1].Decision.Recommended);
        Assert.Equal([1, 6, 11, 16, 20], Trajectory(slots));
    }

    [Theory]
    // target wait 30 s, 100 per replica; depth 5 alone recommends 1.
    [InlineData(1, null, 1)] // nothing ready: depth alone
    [InlineData(1, 20.0, 1)] // waited less than the target: no opinion
    [InlineData(1, 30.0, 1)]
    [InlineData(1, 45.0, 2)] // ceil(1 x 45 / 30)
    [InlineData(3, 45.0, 5)] // ceil(3 x 1.5)
    [InlineData(0, 31.0, 2)] // from zero the current count counts as 1
    [InlineData(4, 300.0, 20)] // bounded by maxReplicas
    public void An_old_head_message_recommends_more_than_the_depth(int current, double? ageSeconds, int expected)
    {
        var policy = Policy with { MinReplicas = 0, MaxScaleUpStep = 100, TargetQueueWait = S(30) };
        TimeSpan? age = ageSeconds is { } a ? S(a) : null;
        var (decision, _) = ScaleMath.Decide(policy, ScalerState.Initial, current, new QueueDepth(5, 0, 0), DateTimeOffset.UnixEpoch, oldestReadyAge: age);
        Assert.Equal(Math.Max(expected, current), decision.Replicas);
        Assert.Equal(expected, decision.Recommended);
        Assert.Equal(age, decision.OldestReadyAge);
        Assert.Contains("target wait 30 s", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_wait_is_ignored_without_a_target_and_at_or_below_the_activation_depth()
    {
        var reading = new QueueDepth(5, 0, 0);
        var (noTarget, _) = ScaleMath.Decide(Policy, ScalerState.Initial, 1, reading, DateTimeOffset.UnixEpoch, oldestReadyAge: S(600));
        Assert.Equal(1, noTarget.Replicas);
        Assert.DoesNotContain("wait", noTarget.Message, StringComparison.Ordinal);
        var idle = Policy with { MinReplicas = 0, ActivationDepth = 5, TargetQueueWait = S(30) };
        var (belowActivation, _) = ScaleMath.Decide(idle, ScalerState.Initial, 0, reading, DateTimeOffset.UnixEpoch, oldestReadyAge: S(600));
        Assert.Equal(0, belowActivation.Recommended);
        // The larger of the two wins: a deep queue with young messages scales on depth.
        var (deep, _) = ScaleMath.Decide(Policy with { TargetQueueWait = S(30) }, ScalerState.Initial, 1, new QueueDepth(900, 0, 0), DateTimeOffset.UnixEpoch, oldestReadyAge: S(40));
        Assert.Equal(9, deep.Recommended);
    }

    [Fact]
    public void A_fresh_scaler_waits_a_full_window_before_scaling_down_and_the_bounds_hold_at_once()
    {
        var steps = ScaleSimulation.Run(Policy, _ => 0, S(120), initialReplicas: 8);
        var down = steps.First(s => s.Decision.Changed);
        Assert.Equal(Policy.ScaleDownStabilization, down.At);

        var (above, _) = ScaleMath.Decide(Policy, ScalerState.Initial, 40, new QueueDepth(5000, 0, 0), DateTimeOffset.UnixEpoch);
        Assert.Equal(20, above.Replicas);
        var (below, _) = ScaleMath.Decide(Policy with { MinReplicas = 3 }, ScalerState.Initial, 0, new QueueDepth(0, 0, 0), DateTimeOffset.UnixEpoch);
        Assert.Equal(3, below.Replicas);
    }

    private static IEnumerable<int> Trajectory(IReadOnlyList<ScaleSimulation.Step> steps)
    {
        var last = -1;
        foreach (var step in steps)
        {
            if (step.Decision.Replicas == last) continue;
            last = step.Decision.Replicas;
            yield return last;
        }
    }
}
