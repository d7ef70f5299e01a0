using System.Diagnostics;
using Celeriac.Dashboard;
using Celeriac.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Bench;

/// <summary>
/// The dashboard at the scale: its API views timed against an embedded broker holding 100,000 queued tasks with
/// 50 workers in the registry (the first request of each view, then the median and p99 of the next ones), and open
/// pages polling while a worker drains, for <c>--dashboard</c>'s throughput comparison.
/// </summary>
public static class DashboardScaleBench
{
    /// <summary>The views of the page, each asked for by the page while it is shown.</summary>
    private static readonly string[] Views =
        ["/api/overview", "/api/workers", "/api/tasks", "/api/tasks?state=Queued", "/api/dead-letters", "/api/revocations", "/api/schedules"];

    public static async Task<WebApplication> StartAsync(string db)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Type"] = "sqlite",
            ["Celeriac:Broker:Sqlite:Path"] = db,
            ["Celeriac:Dashboard:Token"] = "bench-token-0123456789abcdef",
            ["Logging:LogLevel:Default"] = "Warning",
        }).Build();
        var app = DashboardHost.Build(configuration, "http://127.0.0.1:0");
        await app.StartAsync();
        return app;
    }

    /// <summary>Registry entries of <paramref name="count"/> busy workers (16 running tasks each), as their heartbeats write them.</summary>
    public static async Task SeedWorkersAsync(IServiceProvider services, int count)
    {
        var registry = services.GetRequiredService<IWorkerRegistry>();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            await registry.HeartbeatAsync(new WorkerInfo
            {
                Id = $"bench-{i:00}:{1000 + i}:0a1b2c", Host = $"bench-{i:00}", Pid = 1000 + i, Version = "bench", Queues = ["default"], Concurrency = 16,
                InFlight = [.. Enumerable.Range(0, 16).Select(t => new RunningTask($"{i:00}{t:00}", "examples.noop", "default", 0, now))], InFlightCount = 16,
                Processed = 1000, Succeeded = 990, Failed = 10, MemoryBytes = 100 << 20, StartedAt = now, HeartbeatAt = now,
                Tasks = [new RegisteredTask("examples.noop", "default", null, null, null, 3, false, false)],
            }, TimeSpan.FromMinutes(10), CancellationToken.None);
        }
    }

    /// <summary>Each view: its first request, then the median and p99 of <paramref name="requests"/> more, in milliseconds.</summary>
    public static async Task<List<BenchResult>> TimeViewsAsync(WebApplication dashboard, int requests)
    {
        using var http = new HttpClient { BaseAddress = new Uri(dashboard.Urls.First()) };
        var results = new List<BenchResult>();
        foreach (var view in Views)
        {
            var first = await TimeAsync(http, view);
            var times = new double[requests];
            for (var i = 0; i < requests; i++) times[i] = await TimeAsync(http, view);
            Array.Sort(times);
            var p99 = Statistics.Percentile(times, 0.99);
            Console.WriteLine($"dashboard {view}: first {first:0.0} ms, median {Statistics.Median(times):0.0} ms, p99 {p99:0.0} ms");
            results.Add(new BenchResult($"dashboard {view}", "p99 ms", p99, 100, HigherIsBetter: false));
        }
        return results;
    }

    /// <summary>
    /// Two pages left open, one on the overview and one on the tasks (the view whose read folds the workers' journal), each
    /// asking for its view every <see cref="DashboardOptions.RefreshInterval"/> (2 s) until cancelled.
    /// </summary>
    public static async Task PollAsync(WebApplication dashboard, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(dashboard.Urls.First()) };
        var interval = new DashboardOptions().RefreshInterval;
        try
        {
            while (true)
            {
                await TimeAsync(http, "/api/overview", cancellationToken);
                await TimeAsync(http, "/api/tasks", cancellationToken);
                await Task.Delay(interval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<double> TimeAsync(HttpClient http, string view, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(view, cancellationToken);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return clock.Elapsed.TotalMilliseconds;
    }
}
