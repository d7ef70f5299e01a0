using System.Diagnostics;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Examples;
using Celeriac.Hosting;
using Celeriac.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Celeriac.Demo;

/// <summary>Starts the workers, produces the workload, shows progress, stops the workers with SIGTERM and prints the summary.</summary>
public sealed class MainJob(DemoSettings settings, TextWriter output)
{
    private readonly string _db = Path.Combine(settings.Directory, "celeriac.db");
    private readonly string _outcomes = Path.Combine(settings.Directory, "outcomes.db");

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        PrepareDirectory();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(QueueConfiguration().Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":", StringComparison.Ordinal), (string?)kv.Value))).Build();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddCeleriac(configuration, c => c.AddTaskAssembly(typeof(ExamplesModule).Assembly).UseSqliteBroker(o => o.Path = _db))
            .BuildServiceProvider();
        var client = services.GetRequiredService<ITaskClient>();
        var broker = services.GetRequiredService<IBroker>();
        var admin = services.GetRequiredService<IBrokerAdmin>();

        output.WriteLine($"Celeriac main job: {settings.Tasks} tasks, {settings.Workers} worker processes x {settings.Concurrency} slots, broker file {_db}");
        var workers = Enumerable.Range(1, settings.Workers).Select(StartWorker).ToList();
        var stopwatch = Stopwatch.StartNew();
        var enqueued = 0;
        var total = settings.Tasks + 2;
        var producer = Workload.EnqueueAsync(client, settings.Tasks, n => Volatile.Write(ref enqueued, n), cancellationToken);
        var reader = new OutcomeReader(_outcomes);

        async Task<ProgressSnapshot> SnapshotAsync()
        {
            var depths = new List<(string, QueueDepth)>();
            foreach (var (queue, _) in Workload.Queues) depths.Add((queue, await broker.GetDepthAsync(queue, cancellationToken).ConfigureAwait(false)));
            var outcomes = reader.CountByOutcome();
            var finished = outcomes.Where(kv => OutcomeLog.TerminalOutcomes.Contains(kv.Key)).Sum(kv => kv.Value);
            return new ProgressSnapshot(stopwatch.Elapsed, Volatile.Read(ref enqueued), total, finished, outcomes, depths, workers.Count(w => !w.HasExited));
        }

        bool Done(ProgressSnapshot s) => producer.IsCompleted && s.Finished >= total && s.Depths.All(d => d.Depth.Total == 0);
        var completed = false;
        if (IsInteractive())
        {
            await AnsiConsole.Live(new Table()).AutoClear(false).StartAsync(async live =>
            {
                while (stopwatch.Elapsed < settings.Timeout)
                {
                    var snapshot = await SnapshotAsync().ConfigureAwait(false);
                    live.UpdateTarget(snapshot.ToTable());
                    if (completed = Done(snapshot)) break;
                    await Task.Delay(250, cancellationToken).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        }
        else
        {
            while (stopwatch.Elapsed < settings.Timeout)
            {
                var snapshot = await SnapshotAsync().ConfigureAwait(false);
                output.WriteLine(snapshot.ToLine());
                if (completed = Done(snapshot)) break;
                await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
            }
        }
        await producer.ConfigureAwait(false);
        var elapsed = stopwatch.Elapsed;

        output.WriteLine("Stopping workers (SIGTERM, graceful drain)...");
        foreach (var worker in workers) worker.Terminate();
        foreach (var worker in workers)
        {
            var code = await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            output.WriteLine($"  worker {worker.Id} exited with {(code is null ? "no exit (killed)" : code.ToString())}");
            await worker.DisposeAsync().ConfigureAwait(false);
        }

        PrintSummary(reader.Summaries(), elapsed);
        var deadLetters = await admin.ListDeadLettersAsync(null, 10_000, cancellationToken).ConfigureAwait(false);
        output.WriteLine($"Dead letters: {deadLetters.Count} (inspect with: celeriac dead-letters list --db {_db})");
        foreach (var group in deadLetters.GroupBy(d => Shorten(d.Reason)).OrderByDescending(g => g.Count()))
            output.WriteLine($"  {group.Count(),5} x {group.Key}");
        if (!completed)
        {
            output.WriteLine($"The job did not finish within {settings.Timeout.TotalSeconds:0}s.");
            return 1;
        }
        output.WriteLine($"Done: {total} tasks in {elapsed.TotalSeconds:0.0}s.");
        return 0;
    }

    private void PrepareDirectory()
    {
        Directory.CreateDirectory(settings.Directory);
        foreach (var file in Directory.EnumerateFiles(settings.Directory, "*.db*")) File.Delete(file);
        foreach (var file in Directory.EnumerateFiles(settings.Directory, "worker-*.log")) File.Delete(file);
    }

    private static Dictionary<string, string> QueueConfiguration()
    {
        var env = new Dictionary<string, string>();
        for (var i = 0; i < Workload.Queues.Length; i++)
        {
            env[$"Celeriac__Queues__{i}__Name"] = Workload.Queues[i].Name;
            env[$"Celeriac__Queues__{i}__Priority"] = Workload.Queues[i].Priority.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return env;
    }

    private LocalWorkerProcess StartWorker(int index)
    {
        var environment = QueueConfiguration();
        environment["Examples__OutcomeLog"] = _outcomes;
        return LocalWorkerProcess.Start(
            ["--tasks", typeof(ExamplesModule).Assembly.Location, "--db", _db, "--concurrency", settings.Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture), "--urls", "http://127.0.0.1:0"],
            environment,
            logFile: Path.Combine(settings.Directory, $"worker-{index}.log"));
    }

    private void PrintSummary(List<OutcomeReader.TaskSummary> summaries, TimeSpan elapsed)
    {
        output.WriteLine();
        output.WriteLine($"Summary after {elapsed.TotalSeconds:0.0}s:");
        output.WriteLine($"{"task",-12} {"attempts",8} {"succeeded",9} {"failed",7} {"retried",8} {"dead-lettered",14} {"expired",8} {"p50 ms",9} {"p95 ms",9}");
        foreach (var s in summaries)
            output.WriteLine($"{s.Task,-12} {s.Attempts,8} {s.Succeeded,9} {s.Failed,7} {s.Retried,8} {s.DeadLettered,14} {s.Expired,8} {Milliseconds(s.P50),9} {Milliseconds(s.P95),9}");
        output.WriteLine("(attempts: runs of the task's code; failed: failed for good, as celeriac_tasks_failed_total counts; retried: failed attempts sent again)");
    }

    private static string Milliseconds(double value) => double.IsNaN(value) ? "-" : value.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

    private static string Shorten(string reason) => reason.Length > 110 ? reason[..110] + "..." : reason;

    private static bool IsInteractive() =>
        !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")) && AnsiConsole.Profile.Capabilities.Interactive;
}
