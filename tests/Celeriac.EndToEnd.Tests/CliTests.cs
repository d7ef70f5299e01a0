using Celeriac.Cli;
using Celeriac.Examples.Tasks;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>The celeriac CLI against the embedded broker file, and a real worker that runs what it enqueues.</summary>
public sealed class CliTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApp.Create(output, error).Parse(args).InvokeAsync();
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Enqueue_shows_in_queue_depths_and_a_worker_runs_it()
    {
        await using var scenario = new Scenario();
        var (code, id, _) = await RunAsync("--db", scenario.BrokerPath, "enqueue", "demo.record", "--args", """{"milliseconds": 1}""", "--queue", "default");
        Assert.Equal(0, code);
        Assert.True(Guid.TryParse(id.Trim(), out _), id);

        var (_, queues, _) = await RunAsync("--db", scenario.BrokerPath, "queues");
        Assert.Matches(@"default\s+1\s+0\s+0", queues);

        var worker = scenario.StartWorker();
        Assert.True(await Scenario.WaitUntilAsync(() => scenario.Executions().Any(e => e.TaskId == id.Trim() && e.Event == "done"), TimeSpan.FromSeconds(60)), worker.Output);
    }

    [Fact]
    public async Task Invalid_args_json_is_a_clear_error()
    {
        await using var scenario = new Scenario();
        var (code, _, error) = await RunAsync("--db", scenario.BrokerPath, "enqueue", "demo.record", "--args", "{oops");
        Assert.NotEqual(0, code);
        Assert.Equal(2, code);
        Assert.Contains("error: --args is not valid JSON", error);
    }

    [Fact]
    public async Task Purge_needs_confirmation_then_empties_the_queue()
    {
        await using var scenario = new Scenario();
        for (var i = 0; i < 3; i++) await scenario.Client.EnqueueAsync(new RecordArgs(1), new Client.EnqueueOptions { Queue = "bulk" });

        var (refused, _, error) = await RunAsync("--db", scenario.BrokerPath, "purge", "bulk");
        Assert.Equal(1, refused);
        Assert.Contains("holds 3 messages", error);
        Assert.Equal(3, (await scenario.DepthAsync("bulk")).Total);

        var (code, output, _) = await RunAsync("--db", scenario.BrokerPath, "purge", "bulk", "--yes");
        Assert.Equal(0, code);
        Assert.Contains("Purged 3 messages", output);
        Assert.Equal(0, (await scenario.DepthAsync("bulk")).Total);
    }

    [Fact]
    public async Task Dead_letters_are_listed_and_replayed_with_a_fresh_attempt()
    {
        await using var scenario = new Scenario();
        var id = await scenario.Client.EnqueueAsync("no.such.task", new { a = 1 });
        var worker = scenario.StartWorker();
        Assert.True(await Scenario.WaitUntilAsync(async () => (await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None)).Count == 1, TimeSpan.FromSeconds(60)), worker.Output);
        worker.Terminate();
        await worker.WaitForExitAsync(TimeSpan.FromSeconds(30));

        var (code, list, _) = await RunAsync("--db", scenario.BrokerPath, "dead-letters", "list");
        Assert.Equal(0, code);
        Assert.Contains($"no.such.task {id} attempt 0", list);
        Assert.Contains("unknown task 'no.such.task'", list);
        Assert.Contains("1 dead letters", list);

        var (replayCode, replay, _) = await RunAsync("--db", scenario.BrokerPath, "dead-letters", "replay", "--queue", "default");
        Assert.Equal(0, replayCode);
        Assert.Contains("Replayed 1 dead letters", replay);
        Assert.Empty(await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None));
        Assert.Equal(1, (await scenario.DepthAsync()).Ready);
    }

    [Fact]
    public async Task Revoke_keeps_a_queued_task_from_running_and_result_prints_a_stored_result()
    {
        await using var scenario = new Scenario();
        var (_, revokedId, _) = await RunAsync("--db", scenario.BrokerPath, "enqueue", "demo.record", "--args", """{"milliseconds": 1}""");
        var (revokeCode, revokeOut, _) = await RunAsync("--db", scenario.BrokerPath, "revoke", revokedId.Trim());
        Assert.Equal(0, revokeCode);
        Assert.Contains("Revoked", revokeOut);
        var (_, cpuId, _) = await RunAsync("--db", scenario.BrokerPath, "enqueue", "demo.cpu", "--args", """{"rounds": 3}""");
        var (missing, _, _) = await RunAsync("--db", scenario.BrokerPath, "result", cpuId.Trim());
        Assert.Equal(1, missing);

        var worker = scenario.StartWorker();
        var (code, output, error) = await RunAsync("--db", scenario.BrokerPath, "result", cpuId.Trim(), "--wait", "00:01:00");
        Assert.True(code == 0, error + worker.Output);
        Assert.Matches("^\"[0-9A-F]{64}\"$", output.Trim());
        Assert.True(await Scenario.WaitUntilAsync(async () => (await scenario.DepthAsync()).Total == 0, TimeSpan.FromSeconds(60)), worker.Output);
        Assert.DoesNotContain(scenario.Executions(), e => e.TaskId == revokedId.Trim());
    }
}
