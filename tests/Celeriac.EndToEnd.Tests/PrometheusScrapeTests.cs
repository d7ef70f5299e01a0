using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Celeriac.Brokers;
using Celeriac.Examples.Tasks;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>A real worker process scraped by a real Prometheus: the per-task series match what ran.</summary>
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task Prometheus_scrapes_per_task_series_that_match_what_the_worker_ran()
    {
        await using var scenario = new Scenario();
        for (var i = 0; i < 5; i++) await scenario.Client.EnqueueAsync(new RecordArgs(5));
        // MaxRetries is 3: four attempts each, then the dead-letter store.
        for (var i = 0; i < 2; i++) await scenario.Client.EnqueueAsync(new FlakyArgs(FailUntilAttempt: 10));
        await scenario.Client.EnqueueAsync(new FlakyArgs(FailUntilAttempt: 1));
        await scenario.Broker.SendAsync([new OutgoingMessage("default", Encoding.UTF8.GetBytes("{not json"))], CancellationToken.None);

        var port = LoopbackPort.Free();
        var worker = scenario.StartWorker(concurrency: 4, args: ["--urls", $"http://127.0.0.1:{port}"]);
        await using var prometheus = await PrometheusServer.StartAsync("celeriac-worker", $"127.0.0.1:{port}");

        const string Record = "task=\"demo.record\",queue=\"default\"";
        const string Flaky = "task=\"demo.flaky\",queue=\"default\"";
        var expected = new Dictionary<string, double>
        {
            [$"celeriac_tasks_succeeded_total{{{Record}}}"] = 5,
            [$"celeriac_tasks_received_total{{{Record}}}"] = 5,
            [$"celeriac_task_duration_seconds_count{{{Record}}}"] = 5,
            [$"celeriac_task_queue_wait_seconds_count{{{Record}}}"] = 5,
            [$"celeriac_tasks_received_total{{{Flaky}}}"] = 2 * 4 + 2,
            [$"celeriac_tasks_retried_total{{{Flaky}}}"] = 2 * 3 + 1,
            [$"celeriac_tasks_succeeded_total{{{Flaky}}}"] = 1,
            [$"celeriac_tasks_failed_total{{{Flaky},exception=\"UpstreamUnavailableException\"}}"] = 2,
            [$"celeriac_tasks_dead_lettered_total{{{Flaky}}}"] = 2,
            ["celeriac_tasks_dead_lettered_total{task=\"unknown\",queue=\"default\"}"] = 1,
            ["celeriac_tasks_expired_total{task=\"demo.record\"}"] = 0,
            ["sum(celeriac_tasks_in_flight)"] = 0,
            ["celeriac_worker_concurrency"] = 4,
            ["celeriac_worker_recycles_total{reason=\"memory\"}"] = 0,
            ["up{job=\"celeriac-worker\"}"] = 1,
        };
        var last = new Dictionary<string, double?>();
        var matched = await Eventually.Reached(async () =>
        {
            foreach (var query in expected.Keys) last[query] = await prometheus.ScalarAsync(query);
            return expected.All(e => last[e.Key] == e.Value);
        }, TimeSpan.FromSeconds(90));
        Assert.True(matched, string.Join("\n", expected.Select(e => $"{e.Key}: expected {e.Value}, got {last.GetValueOrDefault(e.Key)?.ToString() ?? "none"}"))
            + "\n--- worker\n" + worker.Output + "\n--- prometheus\n" + prometheus.Output);

        // Series are per registered task and queue: no id or argument ever becomes a label.
        var series = await prometheus.QueryAsync("{__name__=~\"celeriac_tasks_.*\", task!=\"\"}");
        Assert.All(series, s => Assert.Contains(s.Labels["task"], new[] { "demo.record", "demo.flaky", "demo.cpu", "demo.io", "demo.leak", "demo.noop", "demo.slow", "demo.stuck", "demo.square", "demo.total", "unknown" }));
        var memory = await prometheus.ScalarAsync("celeriac_worker_memory_bytes");
        Assert.True(memory > 1024 * 1024, $"memory {memory}");
        var p95 = await prometheus.ScalarAsync($"histogram_quantile(0.95, sum by (le) (celeriac_task_duration_seconds_bucket{{{Record}}}))");
        Assert.InRange(p95 ?? -1, 0.001, 10);
    }

    [Fact]
    public async Task Promtool_finds_a_busy_workers_metrics_endpoint_clean()
    {
        await using var scenario = new Scenario();
        await scenario.Client.EnqueueAsync(new RecordArgs(1));
        await scenario.Client.EnqueueAsync(new FlakyArgs(FailUntilAttempt: 10));
        var port = LoopbackPort.Free();
        var worker = scenario.StartWorker(args: ["--urls", $"http://127.0.0.1:{port}"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        string? text = null;
        Assert.True(await Eventually.Reached(async () =>
        {
            try
            {
                var response = await http.GetAsync("/metrics");
                Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
                text = await response.Content.ReadAsStringAsync();
                return text.Contains("celeriac_tasks_failed_total{exception=\"UpstreamUnavailableException\"", StringComparison.Ordinal);
            }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromSeconds(60)), worker.Output + "\n" + text);

        var check = new ProcessStartInfo("promtool", ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var promtool = Process.Start(check)!;
        var stdout = promtool.StandardOutput.ReadToEndAsync();
        var stderr = promtool.StandardError.ReadToEndAsync();
        await promtool.StandardInput.WriteAsync(text);
        promtool.StandardInput.Close();
        await promtool.WaitForExitAsync();
        Assert.True(promtool.ExitCode == 0, await stdout + await stderr + "\n" + text);
    }

}
