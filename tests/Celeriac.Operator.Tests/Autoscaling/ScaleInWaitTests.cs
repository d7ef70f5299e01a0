using Celeriac.Brokers;
using Celeriac.Operator.Autoscaling;
using Celeriac.Testing.InProcess;

namespace Celeriac.Operator.Tests.Autoscaling;

/// <summary>A scale-in that would remove a busy worker waits, up to scaleInBusyWait, for workers to become idle (ScaleMath).</summary>
public sealed class ScaleInWaitTests
{
    private static readonly ScalingPolicy Policy = new()
    {
        MinReplicas = 1,
        MaxReplicas = 10,
        TargetDepthPerReplica = 100,
        ScaleDownStabilization = TimeSpan.Zero,
        ScaleInBusyWait = TimeSpan.FromMinutes(2),
    };

    private static readonly QueueDepth Empty = new(0, 0, 0);

    [Fact]
    public void A_pool_waits_when_every_pod_is_busy_scales_in_by_the_idle_ones_and_proceeds_after_the_limit()
    {
        var clock = new ManualTimeProvider();
        var state = ScalerState.Initial with { Started = true };

        var (waiting, next) = ScaleMath.Decide(Policy, state, 3, Empty, clock.GetUtcNow(), idlePods: 0);
        Assert.Equal(3, waiting.Replicas);
        Assert.Equal(1, waiting.Wanted);
        Assert.Equal(ScaleDecision.WaitingForBusyWorkers, waiting.Reason);
        Assert.True(waiting.BusyWaitStarted);
        Assert.Equal(clock.GetUtcNow(), waiting.BusyWaitSince);
        Assert.Contains("3 of 3 workers run tasks, so the scale-in to 1 waits for them (at most 2m)", waiting.Message, StringComparison.Ordinal);
        var since = clock.GetUtcNow();

        clock.Advance(TimeSpan.FromSeconds(30));
        (var still, next) = ScaleMath.Decide(Policy, next, 3, Empty, clock.GetUtcNow(), idlePods: 0);
        Assert.Equal(3, still.Replicas);
        Assert.False(still.BusyWaitStarted); // One Event per wait, not one per poll.
        Assert.Equal(since, still.BusyWaitSince);

        // One worker became idle: it goes, the busy ones stay, the wait goes on from when it began.
        clock.Advance(TimeSpan.FromSeconds(30));
        (var partial, next) = ScaleMath.Decide(Policy, next, 3, Empty, clock.GetUtcNow(), idlePods: 1);
        Assert.Equal(2, partial.Replicas);
        Assert.Equal(ScaleDecision.ScaleDown, partial.Reason);
        Assert.Equal(since, partial.BusyWaitSince);
        Assert.Equal(clock.GetUtcNow(), next.LastScaleTime);

        clock.Advance(TimeSpan.FromSeconds(59));
        (var last, next) = ScaleMath.Decide(Policy, next, 2, Empty, clock.GetUtcNow(), idlePods: 0);
        Assert.Equal(2, last.Replicas);
        Assert.False(last.BusyWaitExpired);

        // Two minutes after it began, the scale-in removes the busy worker.
        clock.Advance(TimeSpan.FromSeconds(1));
        (var expired, next) = ScaleMath.Decide(Policy, next, 2, Empty, clock.GetUtcNow(), idlePods: 0);
        Assert.Equal(1, expired.Replicas);
        Assert.True(expired.BusyWaitExpired);
        Assert.Null(expired.BusyWaitSince);
        Assert.Null(next.BusyWaitSince);
        Assert.Contains("waited 2m for them: it removes busy workers", expired.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scale_in_does_not_wait_with_enough_idle_pods_without_a_registry_or_with_a_zero_limit()
    {
        var now = new ManualTimeProvider().GetUtcNow();
        var state = ScalerState.Initial with { Started = true };
        Assert.Equal(1, ScaleMath.Decide(Policy, state, 3, Empty, now, idlePods: 2).Decision.Replicas);
        Assert.Equal(1, ScaleMath.Decide(Policy, state, 3, Empty, now, idlePods: 5).Decision.Replicas);
        var unknown = ScaleMath.Decide(Policy, state, 3, Empty, now, idlePods: null).Decision;
        Assert.Equal(1, unknown.Replicas);
        Assert.Null(unknown.BusyWaitSince);
        var never = ScaleMath.Decide(Policy with { ScaleInBusyWait = TimeSpan.Zero }, state, 3, Empty, now, idlePods: 0).Decision;
        Assert.Equal(1, never.Replicas);
        Assert.False(never.BusyWaitExpired);
    }

    [Fact]
    public void A_wait_ends_when_demand_returns_and_the_next_scale_in_is_a_new_wait()
    {
        var clock = new ManualTimeProvider();
        var state = ScalerState.Initial with { Started = true };
        (var first, state) = ScaleMath.Decide(Policy, state, 3, Empty, clock.GetUtcNow(), idlePods: 0);
        Assert.True(first.BusyWaitStarted);

        clock.Advance(TimeSpan.FromSeconds(10));
        (var busyAgain, state) = ScaleMath.Decide(Policy, state, 3, new QueueDepth(300, 0, 0), clock.GetUtcNow());
        Assert.Equal(ScaleDecision.Steady, busyAgain.Reason);
        Assert.Null(state.BusyWaitSince);

        clock.Advance(TimeSpan.FromSeconds(10));
        (var second, state) = ScaleMath.Decide(Policy, state, 3, Empty, clock.GetUtcNow(), idlePods: 0);
        Assert.True(second.BusyWaitStarted);
        Assert.Equal(clock.GetUtcNow(), state.BusyWaitSince);
    }
}
