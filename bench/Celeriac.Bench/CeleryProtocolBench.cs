using System.Diagnostics;
using System.Text.Json;
using Celeriac.Examples;
using Celeriac.Hosting;

namespace Celeriac.Bench;

/// <summary>
/// The Celery-protocol drain: a Python producer's tasks (Celery's own apply_async, on kombu's Redis layout) drained by a
/// Celeriac worker process serving the queue as a Celery queue, then the same drained by a Celery worker (prefork,
/// concurrency 2), on the same redis-server in the same run (celery/celery_drain.py measures both the same way).
/// </summary>
public static class CeleryProtocolBench
{
    private const string Python = "/usr/bin/python3";

    public sealed record Figures(double CeleriacTasksPerSecond, double CeleryTasksPerSecond);

    /// <summary>Null when Celery is not installed for <c>/usr/bin/python3</c>.</summary>
    public static async Task<Figures?> RunAsync(RedisServerProcess redis, int tasks)
    {
        if (!File.Exists(Python)) return null;
        Console.WriteLine($"celery protocol: {tasks} no-op tasks from a Python producer, drained by a Celeriac worker (concurrency 128), then by celery -P prefork -c 2...");
        var celeriac = await DrainAsync(redis, tasks, "celeriac-drain", "external", queue => StartCeleriacWorker(redis, queue));
        if (celeriac is null) return null;
        var celery = await DrainAsync(redis, tasks, "celery-drain", "celery", null);
        return celery is null ? null : new Figures(celeriac.Value, celery.Value);
    }

    private static LocalWorkerProcess StartCeleriacWorker(RedisServerProcess redis, string queue) => LocalWorkerProcess.Start(
        ["--tasks", typeof(ExamplesModule).Assembly.Location, "--concurrency", "128", "--urls", "http://127.0.0.1:0"],
        new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Warning",
            ["Celeriac__Broker__Type"] = "memory",
            ["Celeriac__Queues__0__Name"] = queue,
            ["Celeriac__Queues__0__Protocol"] = "celery",
            ["Celeriac__Celery__Transport"] = "redis",
            ["Celeriac__Celery__Redis__ConnectionString"] = redis.Url,
        });

    /// <summary>Runs celery_drain.py; when it has produced, starts <paramref name="startWorker"/>'s worker (if any) and returns the measured rate.</summary>
    private static async Task<double?> DrainAsync(RedisServerProcess redis, int tasks, string queue, string who, Func<string, LocalWorkerProcess>? startWorker)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "celery", "celery_drain.py");
        var start = new ProcessStartInfo(Python, [script, redis.Url, tasks.ToString(System.Globalization.CultureInfo.InvariantCulture), queue, who])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        LocalWorkerProcess? worker = null;
        try
        {
            string? line;
            string? last = null;
            while ((line = await process.StandardOutput.ReadLineAsync()) is not null)
            {
                if (line == "produced" && startWorker is not null) worker = startWorker(queue);
                else last = line;
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            await process.WaitForExitAsync(cts.Token);
            if (process.ExitCode != 0)
            {
                var problem = await error;
                if (problem.Contains("No module named", StringComparison.Ordinal)) return null;
                throw new InvalidOperationException($"celery_drain.py ({who}) failed ({process.ExitCode}):\n{problem}\n{worker?.Output}");
            }
            using var json = JsonDocument.Parse(last!);
            return json.RootElement.GetProperty("tasks_per_s").GetDouble();
        }
        finally
        {
            if (worker is not null) await worker.DisposeAsync();
        }
    }
}
