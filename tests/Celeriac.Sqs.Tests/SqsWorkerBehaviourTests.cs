using System.Text;
using Celeriac.Brokers;
using Celeriac.Examples.Tasks;
using Celeriac.Sqs.Tests.Infrastructure;
using Celeriac.Testing;

namespace Celeriac.Sqs.Tests;

/// <summary>Real worker processes on SQS: graceful drain on SIGTERM; retries, dead letters and poison messages.</summary>
public sealed class SqsWorkerBehaviourTests(SqsEmulator emulator) : IClassFixture<SqsEmulator>
{
    [Fact]
    public async Task Sigterm_drains_running_tasks_and_leaves_the_rest_queued()
    {
        await using var scenario = new SqsScenario(emulator);
        // Long enough that a slow poll of the execution log on a loaded machine still sees the first four running.
        for (var i = 0; i < 12; i++) await scenario.Client.EnqueueAsync(new RecordArgs(6000));
        var worker = scenario.StartWorker(concurrency: 4, grace: "00:00:20");
        Assert.True(await SqsScenario.WaitUntilAsync(() => scenario.Executions().Count(e => e.Event == "started") >= 4, TimeSpan.FromSeconds(60)), worker.Output);

        worker.Terminate();
        var exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, exit);
        var executions = scenario.Executions();
        var started = executions.Where(e => e.Event == "started").Select(e => e.TaskId).ToHashSet();
        var done = executions.Where(e => e.Event == "done").Select(e => e.TaskId).ToHashSet();
        Assert.True(started.Count == 4, string.Join("\n", executions) + "\n" + worker.Output);
        Assert.Equal(started, done);
        var depth = await scenario.DepthAsync();
        Assert.Equal(8, depth.Ready);
        Assert.Equal(0, depth.InFlight);
        Assert.Contains("Stopped fetching", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retries_succeed_exhausted_retries_and_poison_messages_are_dead_lettered_with_a_reason()
    {
        await using var scenario = new SqsScenario(emulator);
        var recovers = await scenario.Client.EnqueueAsync(new FlakyArgs(2));
        var fails = await scenario.Client.EnqueueAsync(new FlakyArgs(10));
        await scenario.Broker.SendAsync([new OutgoingMessage("default", Encoding.UTF8.GetBytes("{not json"))], CancellationToken.None);
        await scenario.Client.EnqueueAsync("no.such.task", new { a = 1 });
        for (var i = 0; i < 5; i++) await scenario.Client.EnqueueAsync(new RecordArgs(1));
        var worker = scenario.StartWorker();

        Assert.True(await SqsScenario.WaitUntilAsync(async () => (await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None)).Count == 3
                && scenario.Executions().Count(e => e.Event == "done") == 5
                && (await scenario.DepthAsync()).Total == 0,
            TimeSpan.FromSeconds(60)), worker.Output);

        var letters = await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None);
        Assert.Contains(letters, d => d.Reason.Contains("max retries (3) exceeded", StringComparison.Ordinal) && Encoding.UTF8.GetString(d.Body.Span).Contains(fails, StringComparison.Ordinal));
        Assert.Contains(letters, d => d.Reason.Contains("unparseable", StringComparison.Ordinal));
        Assert.Contains(letters, d => d.Reason.Contains("unknown task 'no.such.task'", StringComparison.Ordinal));
        Assert.DoesNotContain(letters, d => Encoding.UTF8.GetString(d.Body.Span).Contains(recovers, StringComparison.Ordinal));
        Assert.All(letters, d => Assert.Equal("default", d.Queue));
        Assert.False(worker.HasExited);
    }
}
