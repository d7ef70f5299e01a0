using System.Diagnostics;
using System.Text.Json;

namespace Celeriac.Bench;

/// <summary>Runs celery/celery_bench.py with Debian's python3 (its python3-celery) against the bench's redis-server.</summary>
public static class CeleryBench
{
    private const string Python = "/usr/bin/python3";

    public sealed record Latency(double P50Ms, double P99Ms);

    public sealed record Figures(double TasksPerSecond, Latency Idle, Latency Loaded);

    /// <summary>
    /// Throughput, then enqueue→start latency idle and under a background load of <paramref name="loadRate"/> no-op tasks
    /// a second, with probes sent as <see cref="ProcessLatencyProbe"/> sends them. Null when Celery is not installed for
    /// <c>/usr/bin/python3</c>.
    /// </summary>
    public static async Task<Figures?> RunAsync(RedisServerProcess redis, int tasks, int latencySamples, int warmUpProbes, TimeSpan probeSpacing, int loadRate)
    {
        if (!File.Exists(Python) || await RunAsync([ "-c", "import celery, redis" ], TimeSpan.FromSeconds(60)) is not (0, _, _)) return null;
        var script = Path.Combine(AppContext.BaseDirectory, "celery", "celery_bench.py");
        Console.WriteLine($"celery: {tasks} no-op tasks, then {latencySamples} latency probes idle and {latencySamples} under {loadRate}/s load (prefork, concurrency 2)...");
        string[] arguments = [script, redis.Url, .. new double[] { tasks, latencySamples, warmUpProbes, probeSpacing.TotalSeconds, loadRate }.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        var (code, output, error) = await RunAsync(arguments, TimeSpan.FromMinutes(20));
        if (code != 0) throw new InvalidOperationException($"the Celery bench failed ({code}):\n{output}\n{error}");
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        return new Figures(root.GetProperty("tasks_per_s").GetDouble(),
            new Latency(root.GetProperty("p50_ms").GetDouble(), root.GetProperty("p99_ms").GetDouble()),
            new Latency(root.GetProperty("loaded_p50_ms").GetDouble(), root.GetProperty("loaded_p99_ms").GetDouble()));
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Python, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the Celery bench did not finish in time");
        }
        return (process.ExitCode, await output, await error);
    }
}
