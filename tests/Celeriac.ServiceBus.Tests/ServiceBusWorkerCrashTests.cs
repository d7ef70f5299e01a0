using Celeriac.Examples.Tasks;
using Celeriac.ServiceBus.Tests.Infrastructure;
using Celeriac.Worker;

namespace Celeriac.ServiceBus.Tests;

/// <summary>Real worker processes on the fake namespace: a SIGKILL loses nothing; a task over its hard limit recycles the worker and is dead-lettered.</summary>
public sealed class ServiceBusWorkerCrashTests(FakeServiceBusFixture fixture) : IClassFixture<FakeServiceBusFixture>
{
    [Fact]
    public async Task Sigkill_in_the_middle_of_400_tasks_loses_none()
    {
        await using var scenario = new ServiceBusScenario(fixture.Fake, fixture.NewPrefix());
        var ids = new HashSet<string>();
        for (var i = 0; i < 400; i++) ids.Add(await scenario.Client.EnqueueAsync(new RecordArgs(10)));

        var first = scenario.StartWorker(concurrency: 16);
        Assert.True(await ServiceBusScenario.WaitUntilAsync(() => scenario.Executions().Count(e => e.Event == "done") >= 60, TimeSpan.FromSeconds(60)),
            "the first worker did not get going:\n" + first.Output);
        first.Kill();
        Assert.NotNull(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var doneBeforeKill = scenario.Executions().Where(e => e.Event == "done").Select(e => e.TaskId).ToHashSet();
        Assert.True(doneBeforeKill.Count < 400, "the first worker finished everything before it was killed; the test proves nothing");

        var second = scenario.StartWorker(concurrency: 16);
        Assert.True(await ServiceBusScenario.WaitUntilAsync(async () =>
                scenario.Executions().Where(e => e.Event == "done").Select(e => e.TaskId).ToHashSet().Count == 400 && (await scenario.DepthAsync()).Total == 0,
            TimeSpan.FromSeconds(90)), "not every task completed:\n" + second.Output);

        var done = scenario.Executions().Where(e => e.Event == "done").ToList();
        Assert.Equal(ids, done.Select(e => e.TaskId).ToHashSet());
        Assert.Contains(done, e => e.Pid == first.Id);
        Assert.Contains(done, e => e.Pid == second.Id);
        Assert.Empty(await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None));
    }

    [Fact]
    public async Task A_task_over_its_hard_limit_recycles_the_worker_and_is_dead_lettered_not_run_twice()
    {
        await using var scenario = new ServiceBusScenario(fixture.Fake, fixture.NewPrefix());
        for (var i = 0; i < 5; i++) await scenario.Client.EnqueueAsync(new RecordArgs(10));
        var worker = scenario.StartWorker(concurrency: 4);
        Assert.True(await ServiceBusScenario.WaitUntilAsync(() => scenario.Executions().Count(e => e.Event == "done") == 5, TimeSpan.FromSeconds(60)), worker.Output);
        var stuckId = await scenario.Client.EnqueueAsync(new StuckArgs(30_000));

        Assert.Equal(WorkerExitCodes.HardTimeLimit, await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("hard time limit", worker.Output, StringComparison.Ordinal);

        var second = scenario.StartWorker(concurrency: 4);
        for (var i = 0; i < 5; i++) await scenario.Client.EnqueueAsync(new RecordArgs(10));
        Assert.True(await ServiceBusScenario.WaitUntilAsync(() => scenario.Executions().Count(e => e.Task == "demo.record" && e.Event == "done") == 10, TimeSpan.FromSeconds(60)), second.Output);
        await Task.Delay(TimeSpan.FromSeconds(7)); // two lock durations: a leaked lock would have come back by now
        var executions = scenario.Executions();
        Assert.True(executions.Count(e => e.TaskId == stuckId && e.Event == "started") == 1,
            string.Join("\n", executions) + "\n--- first:\n" + worker.Output + "\n--- second:\n" + second.Output);
        var dead = Assert.Single(await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None));
        Assert.Contains("hard time limit", dead.Reason, StringComparison.Ordinal);
        Assert.Equal("default", dead.Queue);
        Assert.Equal(0, (await scenario.DepthAsync()).Total);
    }
}
