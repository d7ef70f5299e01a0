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
        Assert.True(await Eventually.Reached(() => scenario.Executions().Any(e => e.TaskId == id.Trim() && e.Event == "done"), TimeSpan.FromSeconds(60)), worker.Output);
    }

    [Fact]
    public async Task Enqueue_with_a_count_sends_that_many_in_batches()
    {
        await using var scenario = new Scenario();
        var (code, output, _) = await RunAsync("--db", scenario.BrokerPath, "enqueue", "demo.record", "--args", """{"milliseconds": 1}""", "--queue", "bulk", "--count", "250");
        Assert.Equal(0, code);
        Assert.Equal("enqueued 250", output.Trim());
        Assert.Equal(250, (await scenario.DepthAsync("bulk")).Ready);

        var (refused, _, error) = await RunAsync("--db", scenario.BrokerPath, "enqueue", "demo.record", "--count", "0");
        Assert.NotEqual(0, refused);
        Assert.Contains("--count must be at least 1", error, StringComparison.Ordinal);
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
    public async Task A_bad_setting_is_a_clear_error_naming_its_key()
    {
        var (code, _, error) = await RunAsync("--db", ":memory:", "queues");
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains("Celeriac:Broker:Sqlite:Path is ':memory:'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purge_needs_confirmation_then_deletes_the_ready_and_delayed_messages_and_leaves_the_running_one()
    {
        await using var scenario = new Scenario();
        for (var i = 0; i < 3; i++) await scenario.Client.EnqueueAsync(new RecordArgs(1), new Client.EnqueueOptions { Queue = "bulk" });
        await scenario.Client.EnqueueAsync(new RecordArgs(1), new Client.EnqueueOptions { Queue = "bulk", Countdown = TimeSpan.FromHours(1) });
        var running = await scenario.Broker.ReceiveAsync(["bulk"], 1, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Single(running);

        var (refused, _, error) = await RunAsync("--db", scenario.BrokerPath, "purge", "bulk");
        Assert.Equal(1, refused);
        Assert.Contains("holds 3 messages ready or delayed and 1 running", error);
        Assert.Equal(4, (await scenario.DepthAsync("bulk")).Total);

        var (code, output, _) = await RunAsync("--db", scenario.BrokerPath, "purge", "bulk", "--yes");
        Assert.Equal(0, code);
        Assert.Contains("Purged 3 messages", output);
        Assert.Equal(new Brokers.QueueDepth(0, 1, 0), await scenario.DepthAsync("bulk"));
        await scenario.Broker.AckAsync(running, CancellationToken.None);
        Assert.Equal(0, (await scenario.DepthAsync("bulk")).Total);
    }

    [Fact]
    public async Task Dead_letters_are_listed_and_replayed_with_a_fresh_attempt()
    {
        await using var scenario = new Scenario();
        var id = await scenario.Client.EnqueueAsync("no.such.task", new { a = 1 });
        var worker = scenario.StartWorker();
        Assert.True(await Eventually.Reached(async () => (await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None)).Count == 1, TimeSpan.FromSeconds(60)), worker.Output);
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
        Assert.True(await Eventually.Reached(async () => (await scenario.DepthAsync()).Total == 0, TimeSpan.FromSeconds(60)), worker.Output);
        Assert.DoesNotContain(scenario.Executions(), e => e.TaskId == revokedId.Trim());
    }

    [Fact]
    public async Task Inspect_shows_ready_in_flight_delayed_and_dead_letters_per_queue_and_the_revocations()
    {
        await using var scenario = new Scenario();
        for (var i = 0; i < 3; i++) await scenario.Client.EnqueueAsync(new RecordArgs(1), new Client.EnqueueOptions { Queue = "default" });
        await scenario.Client.EnqueueAsync(new RecordArgs(1), new Client.EnqueueOptions { Queue = "bulk", Countdown = TimeSpan.FromHours(1) });
        var leased = await scenario.Broker.ReceiveAsync(["default"], 2, TimeSpan.FromHours(1), TimeSpan.Zero, CancellationToken.None);
        await scenario.Broker.DeadLetterAsync(leased[1], "test", CancellationToken.None);
        await RunAsync("--db", scenario.BrokerPath, "revoke", "--task", "demo.record");

        var (code, output, error) = await RunAsync("--db", scenario.BrokerPath, "inspect");
        Assert.True(code == 0, error);
        Assert.Matches(@"default\s+1\s+1\s+0\s+1", output);
        Assert.Matches(@"bulk\s+0\s+0\s+1\s+0", output);
        Assert.Matches(@"\(total\)\s+1\s+1\s+1\s+1", output);
        Assert.Contains("revoked task name: demo.record", output);
    }

    [Fact]
    public async Task Revoke_by_task_name_discards_the_tasks_of_that_name_enqueued_before_but_not_after()
    {
        await using var scenario = new Scenario();
        var before = new List<string>();
        for (var i = 0; i < 3; i++) before.Add((await RunAsync("--db", scenario.BrokerPath, "enqueue", "demo.record", "--args", """{"milliseconds": 1}""")).Out.Trim());
        var other = (await RunAsync("--db", scenario.BrokerPath, "enqueue", "demo.cpu", "--args", """{"rounds": 1}""")).Out.Trim();
        await Task.Delay(50);
        var (code, output, _) = await RunAsync("--db", scenario.BrokerPath, "revoke", "--task", "demo.record");
        Assert.Equal(0, code);
        Assert.Contains("Revoked every 'demo.record' task", output);
        await Task.Delay(50);
        var after = (await RunAsync("--db", scenario.BrokerPath, "enqueue", "demo.record", "--args", """{"milliseconds": 1}""")).Out.Trim();

        var worker = scenario.StartWorker();
        Assert.True(await Eventually.Reached(() => scenario.Executions().Any(e => e.TaskId == after && e.Event == "done"), TimeSpan.FromSeconds(60)), worker.Output);
        Assert.True(await Eventually.Reached(async () => (await scenario.DepthAsync()).Total == 0, TimeSpan.FromSeconds(60)), worker.Output);
        Assert.DoesNotContain(scenario.Executions(), e => before.Contains(e.TaskId));
        Assert.Equal(0, (await RunAsync("--db", scenario.BrokerPath, "result", other, "--wait", "00:00:30")).Code);
    }

    [Fact]
    public async Task Revoke_needs_exactly_one_of_an_id_and_a_task_name()
    {
        await using var scenario = new Scenario();
        Assert.Equal(2, (await RunAsync("--db", scenario.BrokerPath, "revoke")).Code);
        Assert.Equal(2, (await RunAsync("--db", scenario.BrokerPath, "revoke", "some-id", "--task", "demo.record")).Code);
    }
}
