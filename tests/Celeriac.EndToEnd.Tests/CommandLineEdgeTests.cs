using System.Diagnostics;
using Celeriac.Hosting;
using Celeriac.Registry;
using Celeriac.Sqlite;
using Celeriac.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>
/// Every command of the project, run as a process with bad input or an unreachable broker, answers with the exit code
/// the README documents and a message that says what is wrong: no stack trace, no .NET type name.
/// </summary>
public sealed class CommandLineEdgeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("celeriac-edges-").FullName;

    public static TheoryData<string[], Dictionary<string, string>, int, string> CliCases()
    {
        var none = new Dictionary<string, string>();
        // Nothing listens on a port that was just free: connections to it are refused.
        var closed = LoopbackPort.Free();
        return new()
        {
            { ["enqueue", "demo.record", "--countdown", "abc"], none, 2, "error: --countdown: 'abc' is not a number of seconds" },
            { ["enqueue", "demo.record", "--priority", "high"], none, 2, "error: --priority: 'high' is not a whole number" },
            { ["frobnicate"], none, 2, "error: Unrecognized command or argument 'frobnicate'." },
            { ["enqueue"], none, 2, "error: Required argument missing for command: 'enqueue'." },
            { ["enqueue", "demo.record", "--args", "[1, 2]"], none, 2, "error: --args must be a JSON object" },
            { ["enqueue", "demo.record", "--args", "\"text\""], none, 2, "error: --args must be a JSON object" },
            { ["result", "some-id", "--wait", "soon"], none, 2, "error: --wait: 'soon' is not a duration" },
            { ["--db", "missing.db", "queues"], none, 2, "error: the SQLite broker file " },
            { ["--broker", "rabbit", "queues"], none, 2, "error: Celeriac:Broker:Type 'rabbit' is not known" },
            {
                ["--broker", "redis", "enqueue", "demo.record"],
                new() { ["Celeriac__Broker__Redis__ConnectionString"] = $"127.0.0.1:{closed}" },
                2, $"error: cannot reach the broker (redis 127.0.0.1:{closed}): "
            },
            {
                // The store, not the broker, is what cannot be reached: the line names it.
                ["--db", "local.db", "--create", "revoke", "some-id"],
                new()
                {
                    ["Celeriac__Store__Type"] = "redis",
                    ["Celeriac__Store__Redis__ConnectionString"] = $"127.0.0.1:{closed}",
                },
                2, $"error: cannot reach the store (redis 127.0.0.1:{closed}): "
            },
            {
                ["--broker", "sqs", "queues"],
                new()
                {
                    ["Celeriac__Broker__Sqs__QueueUrlPrefix"] = $"http://127.0.0.1:{closed}/000000000000/edges-",
                    ["Celeriac__Broker__Sqs__Endpoint"] = $"http://127.0.0.1:{closed}",
                    ["Celeriac__Broker__Sqs__Region"] = "us-east-1",
                    ["Celeriac__Broker__Sqs__AccessKeyId"] = "test",
                    ["Celeriac__Broker__Sqs__SecretAccessKey"] = "test",
                    ["Celeriac__Broker__Sqs__MaxRetries"] = "1",
                },
                2, $"error: cannot reach the broker (sqs http://127.0.0.1:{closed}/000000000000/edges- via http://127.0.0.1:{closed}): "
            },
            {
                ["--broker", "serviceBus", "enqueue", "demo.record"],
                new()
                {
                    ["Celeriac__Broker__ServiceBus__ConnectionString"] = $"Endpoint=sb://127.0.0.1:{closed}/;SharedAccessKeyName=test;SharedAccessKey=dGVzdA==;UseDevelopmentEmulator=true",
                    ["Celeriac__Broker__ServiceBus__MaxRetries"] = "1",
                },
                2, $"error: cannot reach the broker (serviceBus 127.0.0.1:{closed}): "
            },
        };
    }

    [Theory]
    [MemberData(nameof(CliCases))]
    public async Task The_cli_answers_bad_input_and_unreachable_brokers_with_one_line_and_exit_2(string[] args, Dictionary<string, string> environment, int expected, string message)
    {
        var (code, _, error) = await RunAsync("celeriac.dll", args, environment);

        Assert.True(code == expected, $"exit {code}: {error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith(message, lines[0], StringComparison.Ordinal);
        AssertReadable(error);
        // The message, and for a command line that did not parse the usage: nothing more.
        Assert.True(lines.Length <= 2, error);
        if (lines.Length == 2) Assert.StartsWith("usage: celeriac", lines[1], StringComparison.Ordinal);
    }

    public static TheoryData<string[], Dictionary<string, string>, int, string> WorkerCases()
    {
        var none = new Dictionary<string, string>();
        return new()
        {
            { ["--concurrency", "abc"], none, 1, "celeriac-worker: Celeriac:Worker:Concurrency is 'abc', which is not a whole number." },
            { ["--concurrency", "0"], none, 1, "celeriac-worker: Celeriac:Worker:Concurrency must be positive (was 0)." },
            { ["--broker", "rabbit"], none, 1, "celeriac-worker: Celeriac:Broker:Type 'rabbit' is not known" },
            { ["--tasks", "Missing.Tasks.dll"], none, 1, "celeriac-worker: Celeriac:Worker:TaskAssemblies: 'Missing.Tasks.dll' was not found" },
            { ["--lease", "soon"], none, 1, "celeriac-worker: Celeriac:Worker:LeaseDuration is 'soon', which is not a duration like 00:00:30" },
            { [], new() { ["Celeriac__Worker__ShutdownGrace"] = "1x" }, 1, "celeriac-worker: Celeriac:Worker:ShutdownGrace is '1x', which is not a duration" },
            { ["--Celeriac:Tasks:demo.record:MaxRetries=many"], none, 1, "celeriac-worker: Celeriac:Tasks:demo.record:MaxRetries is 'many', which is not a whole number." },
            { ["--config", "missing.json"], none, 1, "celeriac-worker: --config 'missing.json': no such file or directory" },
            { ["--concurency", "8"], none, 2, "'--concurency' is not an option of celeriac-worker" },
            { ["stray"], none, 2, "unexpected argument 'stray'" },
        };
    }

    [Theory]
    [MemberData(nameof(WorkerCases))]
    public async Task The_worker_host_answers_bad_configuration_with_one_line_naming_the_key_and_the_value(string[] args, Dictionary<string, string> environment, int expected, string message)
    {
        var examples = typeof(Examples.ExamplesModule).Assembly.Location;
        string[] full = args is ["--Celeriac:Tasks:demo.record:MaxRetries=many"] ? ["--tasks", examples, .. args] : args;
        var (code, output, error) = await RunAsync("celeriac-worker.dll", [.. full, "--urls", "http://127.0.0.1:0"], environment);

        Assert.True(code == expected, $"exit {code}: {output}{error}");
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith(message, lines[0], StringComparison.Ordinal);
        AssertReadable(output + error);
        if (expected == 1) Assert.Single(lines);
        else Assert.StartsWith("usage: celeriac-worker", lines[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("Worker serving queues", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_help_describes_the_switches_and_starts_nothing()
    {
        var (code, output, error) = await RunAsync("celeriac-worker.dll", ["--help"], []);

        Assert.True(code == 0, error);
        foreach (var option in new[] { "--tasks", "--queues", "--broker", "--db", "--concurrency", "--lease", "--grace", "--memory-ceiling-mb", "--urls", "--config" })
            Assert.Contains(option, output, StringComparison.Ordinal);
        Assert.Contains("--Section:Key=value", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Worker serving queues", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "celeriac.db")));
    }

    [Fact]
    public async Task The_cli_reads_appsettings_of_the_working_directory_and_of_its_environment()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "appsettings.json"), """{ "Celeriac": { "Broker": { "Sqlite": { "Path": "from-appsettings.db" } } } }""");
        await File.WriteAllTextAsync(Path.Combine(_directory, "appsettings.Staging.json"), """{ "Celeriac": { "Broker": { "Sqlite": { "Path": "from-staging.db" } } } }""");

        var (code, _, error) = await RunAsync("celeriac.dll", ["--create", "enqueue", "demo.record"], []);
        Assert.True(code == 0, error);
        Assert.True(File.Exists(Path.Combine(_directory, "from-appsettings.db")));

        var (staging, _, stagingError) = await RunAsync("celeriac.dll", ["--create", "enqueue", "demo.record"], new() { ["DOTNET_ENVIRONMENT"] = "Staging" });
        Assert.True(staging == 0, stagingError);
        Assert.True(File.Exists(Path.Combine(_directory, "from-staging.db")));
    }

    [Fact]
    public async Task The_cli_refuses_a_task_name_the_live_workers_of_its_queue_do_not_register_and_routes_one_they_do()
    {
        var db = Path.Combine(_directory, "registered.db");
        await using (var store = new ServiceCollection().AddLogging().AddCeleriac(c => c.UseSqliteBroker(o => o.Path = db)).BuildServiceProvider())
        {
            await store.GetRequiredService<IWorkerRegistry>().HeartbeatAsync(new WorkerInfo
            {
                Id = "node-1:42:abcdef", Host = "node-1", Queues = ["reports", "default"], HeartbeatAt = DateTimeOffset.UtcNow,
                Tasks = [new RegisteredTask("reports.build", "reports", null, null, null, 3, true, false)],
            }, TimeSpan.FromMinutes(10), CancellationToken.None);
        }

        var (refused, _, error) = await RunAsync("celeriac.dll", ["--db", db, "enqueue", "reports.biuld"], []);
        var (sent, output, sentError) = await RunAsync("celeriac.dll", ["--db", db, "enqueue", "reports.build"], []);
        var (queues, listed, _) = await RunAsync("celeriac.dll", ["--db", db, "queues"], []);

        Assert.True(refused == 2, error);
        Assert.StartsWith("error: No live worker of queue 'default' registers a task named 'reports.biuld' (registered: reports.build)", error, StringComparison.Ordinal);
        AssertReadable(error);
        Assert.True(sent == 0, sentError);
        Assert.Equal(0, queues);
        Assert.Matches(@"(?m)^reports\s+1\b", listed);
        Assert.DoesNotMatch(@"(?m)^default\s+[1-9]", listed);
    }

    private static void AssertReadable(string text)
    {
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", text, StringComparison.Ordinal);
    }

    /// <summary>Runs a program of this test's output directory (the CLI and the worker host are referenced projects) in the test's directory.</summary>
    private async Task<(int Code, string Out, string Err)> RunAsync(string program, IEnumerable<string> args, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not exit within 2 minutes:\n{await output}\n{await error}");
        }
        return (process.ExitCode, await output, await error);
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }
}
