using Celeriac.Examples.Tasks;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>SIGTERM past the grace period (the drain within it is in the shared suite, <see cref="SqliteWorkerBehaviourTests"/>).</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Sigterm_past_the_grace_period_returns_unfinished_messages_at_once()
    {
        await using var scenario = new Scenario();
        for (var i = 0; i < 3; i++) await scenario.Client.EnqueueAsync(new RecordArgs(60_000));
        var worker = scenario.StartWorker(concurrency: 3, lease: "00:01:00", grace: "00:00:01");
        Assert.True(await Eventually.Reached(() => scenario.Executions().Count(e => e.Event == "started") == 3, TimeSpan.FromSeconds(60)), worker.Output);

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
