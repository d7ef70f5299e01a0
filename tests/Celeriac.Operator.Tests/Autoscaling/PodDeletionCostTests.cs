using Celeriac.Operator.Autoscaling.ScaleIn;
using Celeriac.Registry;
using Celeriac.Testing.InProcess;

namespace Celeriac.Operator.Tests.Autoscaling;

public sealed class PodDeletionCostTests
{
    private static readonly ManualTimeProvider Clock = new();

    private static WorkerInfo Worker(string host, params TimeSpan[] runningFor) => new()
    {
        Id = $"{host}:1:abcdef",
        Host = host,
        InFlight = [.. runningFor.Select((d, i) => new RunningTask($"t{i}", "demo.slow", "default", 0, Clock.GetUtcNow() - d))],
        InFlightCount = runningFor.Length,
        HeartbeatAt = Clock.GetUtcNow(),
    };

    [Fact]
    public void An_idle_worker_costs_nothing_and_a_busy_one_costs_its_tasks_and_their_seconds()
    {
        var now = Clock.GetUtcNow();
        Assert.Equal(0, PodDeletionCost.Of(Worker("idle"), now));
        Assert.Equal(0, PodDeletionCost.Of(null, now));
        // A task that just started still makes the pod dearer than an idle one.
        Assert.Equal(1, PodDeletionCost.Of(Worker("fresh", TimeSpan.Zero), now));
        // Two tasks, 90 s and 30.5 s: 2 + 90 + 30.
        Assert.Equal(122, PodDeletionCost.Of(Worker("busy", TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(30.5)), now));
        Assert.Equal(0, PodDeletionCost.Of(Worker("gone", TimeSpan.FromSeconds(90)) with { Stopped = true }, now));
        Assert.Equal(int.MaxValue, PodDeletionCost.Of(Worker("ancient", TimeSpan.FromDays(30_000)), now));
    }

    [Fact]
    public void The_longer_a_task_runs_the_dearer_its_pod()
    {
        var worker = Worker("busy", TimeSpan.FromSeconds(5));
        var before = PodDeletionCost.Of(worker, Clock.GetUtcNow());
        Assert.True(before > PodDeletionCost.Of(Worker("other", TimeSpan.FromSeconds(1)), Clock.GetUtcNow()));
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(before + 60, PodDeletionCost.Of(worker, Clock.GetUtcNow()));
    }

    [Fact]
    public void Pods_are_matched_to_the_newest_entry_of_their_host_and_unknown_pods_cost_nothing()
    {
        var now = Clock.GetUtcNow();
        var restarted = Worker("pool-a", TimeSpan.FromSeconds(40)) with { Id = "pool-a:2:abcdef", HeartbeatAt = now.AddSeconds(-300) };
        var current = Worker("pool-a") with { Id = "pool-a:7:123456" };
        var costs = PodDeletionCost.ForPods(["pool-a", "pool-b", "pool-c"], [restarted, current, Worker("pool-b", TimeSpan.FromSeconds(9)), Worker("elsewhere", TimeSpan.FromSeconds(9))], now);
        Assert.Equal(new Dictionary<string, int> { ["pool-a"] = 0, ["pool-b"] = 10, ["pool-c"] = 0 }, costs);
    }

    [Fact]
    public void Replicas_without_a_busy_pod_count_as_idle_and_unknown_costs_give_no_count()
    {
        var marked = new Dictionary<string, string?>();
        var pods = new ScaleInPods(new Dictionary<string, int> { ["a"] = 0, ["b"] = 17 }, marked, null);
        // Three replicas, two pods (one busy): the pod not created yet runs nothing either.
        Assert.Equal(2, pods.IdleOf(3));
        Assert.Equal(0, new ScaleInPods(new Dictionary<string, int>(), marked, null).IdleOf(0));
        Assert.Equal(4, new ScaleInPods(new Dictionary<string, int>(), marked, null).IdleOf(4));
        Assert.Null(new ScaleInPods(null, marked, "registry down").IdleOf(3));
    }
}
