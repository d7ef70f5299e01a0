using Celeriac.Examples.Tasks;
using Celeriac.ServiceBus.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Tests;

/// <summary>
/// Real worker processes on the AMQP peer, each with its own SDK client: the shared process behaviour (SIGKILL, hard time
/// limit, SIGTERM drain, retries and dead letters), lock renewal for tasks longer than the lock, and no locks held on
/// messages a busy worker cannot start.
/// </summary>
public sealed class ServiceBusWorkerBehaviourTests(ServiceBusPeerFixture fixture) : WorkerProcessBehaviourTests, IClassFixture<ServiceBusPeerFixture>
{
    protected override WorkerProcessScenario NewScenario() => new ServiceBusScenario(fixture.Peer, fixture.NewPrefix());

    /// <summary>The queues' lock duration (a lock is not per receive on Service Bus).</summary>
    protected override string CrashLease => ServiceBusScenario.LockDuration;

    /// <summary>Two lock durations.</summary>
    protected override TimeSpan LeaseComesBackWithin => TimeSpan.FromSeconds(7);

    [Fact]
    public async Task Tasks_three_times_longer_than_the_lock_run_once_while_two_workers_compete()
    {
        await using var scenario = new ServiceBusScenario(fixture.Peer, fixture.NewPrefix());
        var ids = new HashSet<string>();
        for (var i = 0; i < 6; i++) ids.Add(await scenario.Client.EnqueueAsync(new RecordArgs(9000)));
        // A one-minute lease with heartbeats a minute apart: only the broker's hosted renewal loop keeps the 3 s locks.
        var slowHeartbeat = new Dictionary<string, string> { ["Celeriac__Worker__HeartbeatInterval"] = "00:01:00" };
        var first = scenario.StartWorker(concurrency: 4, lease: "00:01:00", extra: slowHeartbeat);
        var second = scenario.StartWorker(concurrency: 4, lease: "00:01:00", extra: slowHeartbeat);

        Assert.True(await Eventually.Reached(async () => scenario.Executions().Count(e => e.Event == "done") == 6 && (await scenario.DepthAsync()).Total == 0,
            TimeSpan.FromSeconds(90)), string.Join("\n", scenario.Executions()) + $"\n{await scenario.DepthAsync()}\n" + first.Output + "\n---\n" + second.Output);
        // Longer than a lock: a lock that was not renewed would have handed a task to the other worker by now.
        await Task.Delay(TimeSpan.FromSeconds(4));

        var executions = scenario.Executions();
        Assert.Equal(ids, executions.Where(e => e.Event == "started").Select(e => e.TaskId).ToHashSet());
        Assert.Equal(6, executions.Count(e => e.Event == "started"));
        Assert.Equal(6, executions.Count(e => e.Event == "done"));
        Assert.Empty(await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None));
        Assert.Empty(fixture.Peer.DeadLetters(scenario.Prefix + "default"));
        Assert.True(fixture.Peer.Operations["com.microsoft:renew-lock"] > 0, "no lock was renewed");
    }

    [Fact]
    public async Task A_busy_worker_holds_locks_only_on_the_tasks_it_runs()
    {
        await using var scenario = new ServiceBusScenario(fixture.Peer, fixture.NewPrefix());
        var queue = scenario.Prefix + "default";
        for (var i = 0; i < 6; i++) await scenario.Client.EnqueueAsync(new RecordArgs(2500));
        var worker = scenario.StartWorker(concurrency: 2);
        Assert.True(await Eventually.Reached(() => scenario.Executions().Count(e => e.Event == "started") >= 2, TimeSpan.FromSeconds(60)), worker.Output);

        // While both slots are busy, messages keep arriving: none of them may stay locked for this worker. (A transfer
        // for credit that no receive waits on any more is locked for the moment the SDK takes to release it.)
        var samples = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            if (i % 5 == 0) await scenario.Client.EnqueueAsync(new RecordArgs(2500));
            samples.Add(fixture.Peer.Counts(queue).Locked);
            await Task.Delay(100);
        }

        Assert.True(samples.Count(n => n > 2) <= 1, $"locked messages, sampled every 100 ms for a worker with 2 slots: {string.Join(", ", samples)}");
        Assert.True(fixture.Peer.Counts(queue).Active > 2, "the queue ran dry: the test proves nothing");
        Assert.All(fixture.Peer.Messages(queue).Where(m => m.LockedUntil is null), m => Assert.Equal(0, m.DeliveryCount));
    }
}
