using System.Net;
using Celeriac.Examples;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Celeriac.Testing;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>What a worker host says when it starts, where it reads its settings from, and what it serves while it drains.</summary>
public sealed class WorkerStartupTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("celeriac-startup-").FullName;

    [Fact]
    public async Task A_worker_without_tasks_reads_the_working_directorys_settings_creates_celeriac_db_there_and_says_so()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "appsettings.json"), """{ "Celeriac": { "Worker": { "Concurrency": 3 } } }""");
        await using var worker = LocalWorkerProcess.Start(["--urls", "http://127.0.0.1:0"], workingDirectory: _directory);

        Assert.True(await Eventually.Reached(() => worker.Output.Contains("Worker serving queues", StringComparison.Ordinal), TimeSpan.FromSeconds(60)), worker.Output);
        var database = Path.Combine(_directory, "celeriac.db");
        Assert.True(File.Exists(database));
        Assert.Contains($"Settings files read: {Path.Combine(AppContext.BaseDirectory, "appsettings.json")}, {Path.Combine(_directory, "appsettings.json")}", worker.Output, StringComparison.Ordinal);
        Assert.Contains($"Created the SQLite broker file {database}", worker.Output, StringComparison.Ordinal);
        Assert.Contains($"Broker: sqlite {database}; store: the broker's (sqlite {database})", worker.Output, StringComparison.Ordinal);
        Assert.Contains("warn: Celeriac.Hosting.StartupReport[1004] No task is registered", worker.Output, StringComparison.Ordinal);
        Assert.Contains("with concurrency 3", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_start_up_log_lists_every_task_with_its_queue_and_options_and_the_config_file_read()
    {
        var config = Path.Combine(_directory, "worker.json");
        await File.WriteAllTextAsync(config, """{ "Celeriac": { "Tasks": { "demo.cpu": { "RateLimit": "50/s" } } } }""");
        var database = Path.Combine(_directory, "existing.db");
        using (new Sqlite.SqliteBroker(database)) { }

        await using var worker = LocalWorkerProcess.Start(
            ["--tasks", typeof(ExamplesModule).Assembly.Location, "--db", database, "--config", config, "--urls", "http://127.0.0.1:0"],
            // A shell cannot export Celeriac__Tasks__demo.record__Queue; the shell-safe spelling does the same.
            new Dictionary<string, string> { ["Celeriac__Tasks__demo_record__Queue"] = "bulk" },
            workingDirectory: _directory);

        Assert.True(await Eventually.Reached(() => worker.Output.Contains("Worker serving queues", StringComparison.Ordinal), TimeSpan.FromSeconds(60)), worker.Output);
        Assert.Contains($", {config}", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Created the SQLite broker file", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("No task is registered", worker.Output, StringComparison.Ordinal);
        Assert.Contains("Task demo.record: queue bulk, max retries 3 (Celeriac.Examples.Tasks.RecordTask)", worker.Output, StringComparison.Ordinal);
        Assert.Matches(@"Task demo\.cpu: queue \w+, max retries \d+, .*rate limit 50/s", worker.Output);
    }

    [Fact]
    public async Task While_draining_after_sigterm_health_readiness_and_metrics_stay_up_and_readiness_says_draining()
    {
        await using var scenario = new Scenario();
        for (var i = 0; i < 2; i++) await scenario.Client.EnqueueAsync(new RecordArgs(4000));
        var port = LoopbackPort.Free();
        var worker = scenario.StartWorker(concurrency: 2, grace: "00:00:30", args: ["--urls", $"http://127.0.0.1:{port}"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        Assert.True(await Eventually.Reached(() => scenario.Executions().Count(e => e.Event == "started") == 2, TimeSpan.FromSeconds(60)), worker.Output);

        worker.Terminate();
        Assert.True(await Eventually.Reached(() => worker.Output.Contains("Stopped fetching", StringComparison.Ordinal), TimeSpan.FromSeconds(10)), worker.Output);

        var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("draining", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        var metrics = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("celeriac_tasks_in_flight", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(worker.HasExited, "the drain is still running");

        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(2, scenario.Executions().Count(e => e.Event == "done"));
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/healthz"));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }
}
