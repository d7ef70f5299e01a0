using System.Diagnostics;
using System.Net;
using Celeriac.Client;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>
/// An ASP.NET Core application that runs a worker composes Celeriac into what it already has: one line adds Celeriac's
/// health checks to its own, one line adds Celeriac's meter and activity source to its own OpenTelemetry pipeline.
/// </summary>
public sealed class AspNetCoreAppTests
{
    [Fact]
    public async Task An_app_adds_celeriac_health_checks_and_telemetry_with_one_line_each()
    {
        var port = LoopbackPort.Free();
        var metrics = new LockedCollection<MetricSnapshot>();
        var spans = new LockedCollection<Activity>();
        var databaseReady = true;

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddCeleriac(c => c.UseInMemoryBroker().AddTask<NoopTask>().AddWorker(w => w.ReceiveWait = TimeSpan.FromMilliseconds(100)));
        // The application's own pipeline and exporters; Celeriac joins it.
        builder.Services.AddOpenTelemetry()
            .WithMetrics(m => m.AddInMemoryExporter(metrics, reader => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 100))
            .WithTracing(t => t.AddInMemoryExporter(spans))
            .AddCeleriacInstrumentation();
        // The application's own readiness check beside Celeriac's.
        builder.Services.AddHealthChecks()
            .AddCheck("app-database", () => databaseReady ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("warming up"), tags: ["ready"])
            .AddCeleriacChecks();
        await using var app = builder.Build();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(CeleriacHealthChecks.LiveTag) });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(CeleriacHealthChecks.ReadyTag) });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        Assert.True(await Eventually.Reached(async () => (await http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30)));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        var health = app.Services.GetRequiredService<HealthCheckService>();
        var report = await health.CheckHealthAsync();
        Assert.Equal(["app-database", CeleriacHealthChecks.LivenessName, CeleriacHealthChecks.ReadinessName], report.Entries.Keys.Order(StringComparer.Ordinal));

        // The app's own check takes the process out of rotation without asking for a restart.
        databaseReady = false;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        databaseReady = true;

        var client = app.Services.GetRequiredService<ITaskClient>();
        for (var i = 0; i < 3; i++) await client.EnqueueAsync(new NoopArgs(i));

        Assert.True(await Eventually.Reached(() => Succeeded(metrics) == 3, TimeSpan.FromSeconds(30)),
            "metrics seen: " + string.Join(", ", metrics.Snapshot().Select(m => m.Name).Distinct()));
        Assert.True(await Eventually.Reached(() => spans.Snapshot().Count(s => s.DisplayName == "celeriac.run demo.noop") == 3, TimeSpan.FromSeconds(30)),
            "spans seen: " + string.Join(", ", spans.Snapshot().Select(s => s.DisplayName).Distinct()));
        Assert.Equal(3, spans.Snapshot().Count(s => s.DisplayName == "celeriac.enqueue demo.noop"));

        await app.StopAsync();
        // Stopping drains the worker: not ready, and still alive until the process exits.
        var afterStop = await health.CheckHealthAsync(check => check.Tags.Contains(CeleriacHealthChecks.ReadyTag));
        Assert.Equal("draining", afterStop.Entries[CeleriacHealthChecks.ReadinessName].Description);
        Assert.Equal(HealthStatus.Unhealthy, afterStop.Status);
    }

    /// <summary>The latest cumulative count of <c>celeriac.tasks.succeeded</c> for <c>demo.noop</c>.</summary>
    private static long Succeeded(LockedCollection<MetricSnapshot> metrics)
    {
        var latest = metrics.Snapshot().LastOrDefault(m => m.Name == "celeriac.tasks.succeeded");
        if (latest is null) return 0;
        long total = 0;
        foreach (var point in latest.MetricPoints)
        {
            foreach (var tag in point.Tags)
            {
                if (tag is { Key: "task", Value: "demo.noop" }) total += point.GetSumLong();
            }
        }
        return total;
    }

    /// <summary>The in-memory exporters add from their own threads; the test reads copies.</summary>
    private sealed class LockedCollection<T> : ICollection<T>
    {
        private readonly List<T> _items = [];

        public int Count { get { lock (_items) return _items.Count; } }
        public bool IsReadOnly => false;
        public List<T> Snapshot() { lock (_items) return [.. _items]; }
        public void Add(T item) { lock (_items) _items.Add(item); }
        public void Clear() { lock (_items) _items.Clear(); }
        public bool Contains(T item) { lock (_items) return _items.Contains(item); }
        public void CopyTo(T[] array, int arrayIndex) { lock (_items) _items.CopyTo(array, arrayIndex); }
        public bool Remove(T item) { lock (_items) return _items.Remove(item); }
        public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
