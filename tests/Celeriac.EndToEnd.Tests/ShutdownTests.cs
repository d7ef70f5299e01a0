using Celeriac.Examples.Tasks;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>SIGTERM: stop fetching, let running tasks finish within the grace period, leave the rest queued.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Sigterm_drains_running_tasks_and_leaves_the_rest_queued()
    {
        await using var scenario = new Scenario();
        for (var i = 0; i < 12; i++) await scenario.Client.EnqueueAsync(new RecordArgs(2000));
        var worker = scenario.StartWorker(concurrency: 4, grace: "00:00:20");
        Assert.True(await Scenario.WaitUntilAsync(() => scenario.Executions().Count(e => e.Event == "started") == 4, TimeSpan.FromSeconds(60)), worker.Output);

        worker.Terminate();
        var exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exit);
        var executions = scenario.Executions();
        var started = executions.Where(e => e.Event == "started").Select(e => e.TaskId).ToHashSet();
        var done = executions.Where(e => e.Event == "done").Select(e => e.TaskId).ToHashSet();
        Assert.Equal(4, started.Count);
        Assert.Equal(started, done);
        var depth = await scenario.DepthAsync();
        Assert.Equal(8, depth.Ready);
        Assert.Equal(0, depth.InFlight);
        Assert.Contains("Stopped fetching", worker.Output);
    }

    [Fact]
    public async Task Sigterm_past_the_grace_period_returns_unfinished_messages_at_once()
    {
        await using var scenario = new Scenario();
        for (var i = 0; i < 3; i++) await scenario.Client.EnqueueAsync(new RecordArgs(60_000));
        var worker = scenario.StartWorker(concurrency: 3, lease: "00:01:00", grace: "00:00:01");
        Assert.True(await Scenario.WaitUntilAsync(() => scenario.Executions().Count(e => e.Event == "started") == 3, TimeSpan.FromSeconds(60)), worker.Output);

        worker.Terminate();
        var exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, exit);
        var depth = await scenario.DepthAsync();
        // Released, not left leased for the remaining minute of their lease: another worker can take them now.
        Assert.Equal(3, depth.Ready);
        Assert.Equal(0, depth.InFlight);
        Assert.DoesNotContain(scenario.Executions(), e => e.Event == "done");
    }
}
