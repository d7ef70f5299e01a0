using Celeriac.Examples.Tasks;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>At-least-once: a worker killed with SIGKILL mid-run loses nothing; its leased messages come back.</summary>
public sealed class WorkerCrashTests
{
    [Fact]
    public async Task Sigkill_in_the_middle_of_1000_tasks_loses_none()
    {
        await using var scenario = new Scenario();
        var ids = new HashSet<string>();
        for (var i = 0; i < 1000; i++) ids.Add(await scenario.Client.EnqueueAsync(new RecordArgs(5)));

        var first = scenario.StartWorker(concurrency: 16, lease: "00:00:02");
        Assert.True(await Scenario.WaitUntilAsync(() => scenario.Executions().Count(e => e.Event == "done") >= 150, TimeSpan.FromSeconds(60)),
            "the first worker did not get going:\n" + first.Output);
        first.Kill();
        Assert.NotNull(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var doneBeforeKill = scenario.Executions().Where(e => e.Event == "done").Select(e => e.TaskId).ToHashSet();
        Assert.True(doneBeforeKill.Count < 1000, "the first worker finished everything before it was killed; the test proves nothing");

        var second = scenario.StartWorker(concurrency: 16, lease: "00:00:02");
        Assert.True(await Scenario.WaitUntilAsync(async () =>
                scenario.Executions().Where(e => e.Event == "done").Select(e => e.TaskId).ToHashSet().Count == 1000 && (await scenario.DepthAsync()).Total == 0,
            TimeSpan.FromSeconds(120)), "not every task completed:\n" + second.Output);

        var done = scenario.Executions().Where(e => e.Event == "done").ToList();
        Assert.Equal(ids, done.Select(e => e.TaskId).ToHashSet());
        Assert.Contains(done, e => e.Pid == first.Id);
        Assert.Contains(done, e => e.Pid == second.Id);
        Assert.Empty(await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None));
    }
}
