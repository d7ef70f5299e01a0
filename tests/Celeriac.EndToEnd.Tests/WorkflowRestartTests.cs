using Celeriac.Examples.Tasks;
using Celeriac.Workflows;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>A workflow lives in its messages and the store, not in a worker: it survives a worker killed with SIGKILL.</summary>
public sealed class WorkflowRestartTests
{
    [Fact]
    public async Task A_chord_in_a_chain_completes_after_its_worker_is_killed_mid_way()
    {
        await using var scenario = new Scenario();
        const int members = 16;
        var handle = await scenario.Workflows.StartAsync(Workflow.Chain(
            Workflow.Chord(Enumerable.Range(1, members).Select(i => Sig.For<SquareTask>(new Amount(i, 400))), Sig.Of<TotalTask>()),
            Sig.Of<SquareTask>()));

        var first = scenario.StartWorker(concurrency: 4, lease: "00:00:02");
        Assert.True(await Eventually.Reached(() => scenario.Executions().Count(e => e is { Task: "demo.square", Event: "done" }) >= 4, TimeSpan.FromSeconds(60)),
            "the first worker did not get going:\n" + first.Output);
        first.Kill();
        Assert.NotNull(await first.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var doneBeforeKill = scenario.Executions().Count(e => e is { Task: "demo.square", Event: "done" });
        Assert.True(doneBeforeKill < members, "the first worker finished the group before it was killed; the test proves nothing");

        var second = scenario.StartWorker(concurrency: 4, lease: "00:00:02");
        var total = Enumerable.Range(1, members).Sum(i => (long)i * i);
        var result = await handle.GetResultAsync<Amount>(TimeSpan.FromSeconds(120));
        Assert.Equal(total * total, result!.Value);

        var done = scenario.Executions().Where(e => e.Event == "done").ToList();
        Assert.Equal(members + 1, done.Where(e => e.Task == "demo.square").Select(e => e.TaskId).Distinct().Count());
        Assert.Single(done, e => e.Task == "demo.total");
        Assert.Contains(done, e => e.Pid == first.Id);
        Assert.Contains(done, e => e.Pid == second.Id);
        Assert.Empty(await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None));
    }
}
