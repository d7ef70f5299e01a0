using Celeriac.Examples.Tasks;
using Celeriac.ServiceBus.Tests.Infrastructure;
using Celeriac.Testing;

namespace Celeriac.ServiceBus.Tests;

/// <summary>
/// Real worker processes on the fake namespace: the shared process behaviour (SIGKILL, hard time limit, SIGTERM drain,
/// retries and dead letters), and lock renewal for tasks longer than the lock.
/// </summary>
public sealed class ServiceBusWorkerBehaviourTests(FakeServiceBusFixture fixture) : WorkerProcessBehaviourTests, IClassFixture<FakeServiceBusFixture>
{
    protected override WorkerProcessScenario NewScenario() => new ServiceBusScenario(fixture.Fake, fixture.NewPrefix());

    /// <summary>The queues' lock duration (the REST API has no per-receive lease).</summary>
    protected override string CrashLease => ServiceBusScenario.LockDuration;

    /// <summary>Two lock durations.</summary>
    protected override TimeSpan LeaseComesBackWithin => TimeSpan.FromSeconds(7);

    [Fact]
    public async Task Tasks_three_times_longer_than_the_lock_run_once_while_two_workers_compete()
    {
        await using var scenario = new ServiceBusScenario(fixture.Fake, fixture.NewPrefix());
        var ids = new HashSet<string>();
        for (var i = 0; i < 6; i++) ids.Add(await scenario.Client.EnqueueAsync(new RecordArgs(9000)));
        var first = scenario.StartWorker(concurrency: 4);
        var second = scenario.StartWorker(concurrency: 4);

        Assert.True(await ServiceBusScenario.WaitUntilAsync(async () => scenario.Executions().Count(e => e.Event == "done") == 6 && (await scenario.DepthAsync()).Total == 0,
            TimeSpan.FromSeconds(90)), string.Join("\n", scenario.Executions()) + $"\n{await scenario.DepthAsync()}\n" + first.Output + "\n---\n" + second.Output);
        // Longer than a lock: a lock that was not renewed would have handed a task to the other worker by now.
        await Task.Delay(TimeSpan.FromSeconds(4));

        var executions = scenario.Executions();
        Assert.Equal(ids, executions.Where(e => e.Event == "started").Select(e => e.TaskId).ToHashSet());
        Assert.Equal(6, executions.Count(e => e.Event == "started"));
        Assert.Equal(6, executions.Count(e => e.Event == "done"));
        Assert.Empty(await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None));
        Assert.Equal((0, 0, 0), fixture.Fake.CountsOf(scenario.Prefix + "default/$DeadLetterQueue"));
    }
}
