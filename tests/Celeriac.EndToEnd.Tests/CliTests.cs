using Celeriac.Cli;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>The celeriac CLI against the embedded broker file, and a real worker that runs what it enqueues.</summary>
public sealed class CliTests
{
    private static Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunWithAsync(null, args);

    private static async Task<(int Code, string Out, string Err)> RunWithAsync(IReadOnlyDictionary<string, string?>? settings, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApp.InvokeAsync(args, output, error, settings);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Enqueue_shows_in_queue_depths_and_a_worker_runs_it()
    {
        await using var scenario = new Scenario();
        var (code, id, _) = await RunAsync("--db", scenario.BrokerPath, "--create", "enqueue", "demo.record", "--args", """{"milliseconds": 1}""", "--queue", "default");
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
        var (code, output, _) = await RunAsync("--db", scenario.BrokerPath, "--create", "enqueue", "demo.record", "--args", """{"milliseconds": 1}""", "--queue", "bulk", "--count", "250");
        Assert.Equal(0, code);
        Assert.Equal("enqueued 250", output.Trim());
        Assert.Equal(250, (await scenario.DepthAsync("bulk")).Ready);

        var (refused, _, error) = await RunAsync("--db", scenario.BrokerPath, "enqueue", "demo.record", "--count", "0");
        Assert.Equal(2, refused);
        Assert.Contains("--count: '0' is not a whole number of at least 1", error, StringComparison.Ordinal);
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
        var (_, revokedId, _) = await RunAsync("--db", scenario.BrokerPath, "--create", "enqueue", "demo.record", "--args", """{"milliseconds": 1}""");
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
        await scenario.DepthAsync();
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
        await scenario.DepthAsync();
        var (none, _, noneError) = await RunAsync("--db", scenario.BrokerPath, "revoke");
        Assert.Equal(2, none);
        Assert.StartsWith("error: give either a task id or --task NAME", noneError, StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync("--db", scenario.BrokerPath, "revoke", "some-id", "--task", "demo.record")).Code);
    }

    [Fact]
    public async Task A_broker_file_that_does_not_exist_is_an_error_with_its_path_unless_create_is_given()
    {
        await using var scenario = new Scenario();
        var typo = Path.Combine(scenario.Directory, "celeriac-typo.db");

        var (queues, _, queuesError) = await RunAsync("--db", typo, "queues");
        Assert.Equal(2, queues);
        Assert.Equal($"error: the SQLite broker file {typo} does not exist (give an existing one with --db, or add --create to create it)", queuesError.Trim());
        var (revoke, revokeOut, _) = await RunAsync("--db", typo, "revoke", "some-id");
        Assert.Equal(2, revoke);
        Assert.DoesNotContain("Revoked", revokeOut, StringComparison.Ordinal);
        Assert.False(File.Exists(typo));

        var (created, id, _) = await RunAsync("--db", typo, "--create", "enqueue", "demo.record");
        Assert.Equal(0, created);
        Assert.True(Guid.TryParse(id.Trim(), out _), id);
        Assert.True(File.Exists(typo));
    }

    [Fact]
    public async Task Queues_lists_the_declared_queues_even_when_empty_then_the_others()
    {
        await using var scenario = new Scenario();
        await scenario.Client.EnqueueAsync(new RecordArgs(1), new Client.EnqueueOptions { Queue = "bulk" });
        var declared = new Dictionary<string, string?>
        {
            ["Celeriac:Queues:0:Name"] = "low", ["Celeriac:Queues:0:Priority"] = "1",
            ["Celeriac:Queues:1:Name"] = "high", ["Celeriac:Queues:1:Priority"] = "10",
        };

        var (code, output, error) = await RunWithAsync(declared, "--db", scenario.BrokerPath, "queues");

        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Matches(@"^high\s+0\s+0\s+0\s+10$", lines[1]);
        Assert.Matches(@"^low\s+0\s+0\s+0\s+1$", lines[2]);
        Assert.Matches(@"^bulk\s+1\s+0\s+0\s+-$", lines[3]);
    }

    [Fact]
    public async Task Dead_letters_list_shows_args_masked_where_the_task_says_so_and_counts_all_of_them_with_a_limit()
    {
        await using var scenario = new Scenario();
        await scenario.Client.EnqueueAsync("demo.record", new { milliseconds = 7 });
        await scenario.Client.EnqueueAsync("accounts.login", new { user = "ada", password = "hunter2" });
        await scenario.Client.EnqueueAsync("demo.record", new { milliseconds = 8 });
        foreach (var message in await scenario.Broker.ReceiveAsync(["default"], 3, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None))
            await scenario.Broker.DeadLetterAsync(message, "test", CancellationToken.None);
        // The shell-safe spelling of Celeriac:Tasks:accounts.login:MaskArgs, as a worker gets it from its environment.
        var settings = new Dictionary<string, string?> { ["Celeriac:Tasks:accounts_login:MaskArgs"] = "true" };

        var (code, all, error) = await RunWithAsync(settings, "--db", scenario.BrokerPath, "dead-letters", "list");
        Assert.True(code == 0, error);
        Assert.Contains("args {\"milliseconds\":7}", all, StringComparison.Ordinal);
        Assert.Contains("accounts.login", all, StringComparison.Ordinal);
        Assert.Contains("args (masked)", all, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", all, StringComparison.Ordinal);
        Assert.EndsWith("3 dead letters", all.Trim(), StringComparison.Ordinal);

        var (_, limited, _) = await RunWithAsync(settings, "--db", scenario.BrokerPath, "dead-letters", "list", "--limit", "1");
        var lines = limited.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains("args {\"milliseconds\":7}", lines[0], StringComparison.Ordinal);
        Assert.Equal("3 dead letters (the first 1 shown; raise --limit for more)", lines[1].Trim());
    }

    [Fact]
    public async Task Dead_letters_delete_removes_the_ids_given_or_with_confirmation_all_of_a_queue()
    {
        await using var scenario = new Scenario();
        for (var i = 0; i < 3; i++) await scenario.Client.EnqueueAsync(new RecordArgs(i), new Client.EnqueueOptions { Queue = i == 2 ? "bulk" : "default" });
        foreach (var queue in new[] { "default", "bulk" })
            foreach (var message in await scenario.Broker.ReceiveAsync([queue], 3, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None))
                await scenario.Broker.DeadLetterAsync(message, "test", CancellationToken.None);
        var letters = await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None);
        var first = letters.First(l => l.Queue == "default").Id;

        var (code, output, _) = await RunAsync("--db", scenario.BrokerPath, "dead-letters", "delete", "--id", first, "--id", "no-such-id");
        Assert.Equal(1, code);
        Assert.Contains("Deleted 1 dead letters.", output, StringComparison.Ordinal);
        Assert.DoesNotContain(await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None), l => l.Id == first);

        var (unconfirmed, _, warning) = await RunAsync("--db", scenario.BrokerPath, "dead-letters", "delete", "--queue", "default");
        Assert.Equal(1, unconfirmed);
        Assert.Contains("There are 1 dead letters from 'default'. Add --yes", warning, StringComparison.Ordinal);
        Assert.Equal(2, (await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None)).Count);

        var (confirmed, deleted, _) = await RunAsync("--db", scenario.BrokerPath, "dead-letters", "delete", "--queue", "default", "--yes");
        Assert.Equal(0, confirmed);
        Assert.Contains("Deleted 1 dead letters.", deleted, StringComparison.Ordinal);
        Assert.Equal("bulk", Assert.Single(await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None)).Queue);
    }

    [Fact]
    public async Task Schedules_are_listed_with_their_runs_and_triggered_now()
    {
        await using var scenario = new Scenario();
        var settings = new Dictionary<string, string?>
        {
            ["Celeriac:Schedules:heartbeat:Task"] = "demo.record",
            ["Celeriac:Schedules:heartbeat:Interval"] = "00:00:30",
            ["Celeriac:Schedules:heartbeat:Queue"] = "bulk",
            ["Celeriac:Schedules:heartbeat:Args"] = """{"milliseconds": 3}""",
            ["Celeriac:Schedules:nightly:Task"] = "reports.build",
            ["Celeriac:Schedules:nightly:Cron"] = "0 2 * * *",
            ["Celeriac:Schedules:nightly:TimeZone"] = "Europe/Berlin",
        };
        // What the local scheduler keeps in the store after a run.
        var last = new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var state = new Scheduling.ScheduleState(last, "run-1", last.AddSeconds(30));
        await scenario.Services.GetRequiredService<Results.IResultStore>().SetAsync(
            new Results.TaskResult(LocalScheduler.StatePrefix + "heartbeat", true, System.Text.Json.JsonSerializer.Serialize(state), null, null, last), TimeSpan.FromHours(1), CancellationToken.None);

        var (code, list, error) = await RunWithAsync(settings, "--db", scenario.BrokerPath, "schedules", "list");
        Assert.True(code == 0, error);
        Assert.Matches(@"(?m)^heartbeat\s+every 00:00:30\s+demo\.record\s+bulk\s+2030-01-01T12:00:00Z\s+2030-01-01T12:00:30Z\s+run-1", list);
        Assert.Matches(@"(?m)^nightly\s+0 2 \* \* \* \(Europe/Berlin\)\s+reports\.build\s+\(task's\)\s+-\s+\d{4}-", list);

        var (triggered, id, _) = await RunWithAsync(settings, "--db", scenario.BrokerPath, "schedules", "trigger", "heartbeat");
        Assert.Equal(0, triggered);
        var message = Assert.Single(await scenario.Broker.ReceiveAsync(["bulk"], 10, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None));
        var envelope = Envelope.EnvelopeSerializer.Deserialize(message.Body.Span);
        Assert.Equal(id.Trim(), envelope.Id);
        Assert.Equal("demo.record", envelope.Task);
        Assert.Equal(3, envelope.Args.GetProperty("milliseconds").GetInt32());
        Assert.Equal("manual", envelope.GetHeader(SchedulesCommand.TriggerHeader));

        var (unknown, _, unknownError) = await RunWithAsync(settings, "--db", scenario.BrokerPath, "schedules", "trigger", "hourly");
        Assert.Equal(2, unknown);
        Assert.Contains("no schedule 'hourly'; the schedules are: heartbeat, nightly", unknownError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_are_read_from_the_file_or_directory_given_with_config()
    {
        await using var scenario = new Scenario();
        await scenario.DepthAsync();
        var settings = Path.Combine(scenario.Directory, "producer.json");
        await File.WriteAllTextAsync(settings, $$"""{ "Celeriac": { "Broker": { "Sqlite": { "Path": {{System.Text.Json.JsonSerializer.Serialize(scenario.BrokerPath)}} } }, "Queues": [ { "Name": "from-config", "Priority": 3 } ] } }""");

        var (code, output, error) = await RunAsync("--config", settings, "queues");
        Assert.True(code == 0, error);
        Assert.Matches(@"(?m)^from-config\s+0\s+0\s+0\s+3", output);

        var (missing, _, missingError) = await RunAsync("--config", Path.Combine(scenario.Directory, "nope.json"), "queues");
        Assert.Equal(2, missing);
        Assert.Contains("--config", missingError, StringComparison.Ordinal);
    }
}
