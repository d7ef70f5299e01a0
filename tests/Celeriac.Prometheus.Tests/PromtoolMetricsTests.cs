using System.Diagnostics.Metrics;
using Celeriac.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Prometheus.Tests;

public sealed class PromtoolMetricsTests
{
    [Fact]
    public async Task Promtool_finds_the_exposition_of_an_odd_mix_of_instruments_clean()
    {
        var name = "test." + Guid.NewGuid().ToString("N");
        var options = new PrometheusExporterOptions();
        options.MeterNames.Add(name);
        using var collector = new PrometheusCollector(options);
        using var meter = new Meter(name);
        meter.CreateCounter<long>("celeriac.tasks.failed", description: "Tasks that failed").Add(1, new("task", "t\"1"), new("exception", "Bad\\Thing\nHere"));
        meter.CreateHistogram<double>("celeriac.task.duration", "s", "Execution time").Record(0.3, new KeyValuePair<string, object?>("task", "t"));
        meter.CreateUpDownCounter<int>("celeriac.tasks.in_flight", description: "Running").Add(2);
        meter.CreateObservableGauge("celeriac.worker.memory", () => 1024L, "By", "Resident memory");

        var (exitCode, output) = await Promtool.RunAsync(collector.Collect(), "check", "metrics");
        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("problem", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Promtool_finds_celeriacs_own_task_metrics_clean()
    {
        await using var services = new ServiceCollection()
            .AddMetrics()
            .AddPrometheusExporter(o => o.MeterNames.Add(CeleriacDiagnostics.MeterName))
            .AddSingleton<TaskMetrics>()
            .BuildServiceProvider();
        var collector = services.GetRequiredService<PrometheusCollector>();
        _ = services.GetRequiredService<TaskMetrics>();

        var text = collector.Collect();
        Assert.Contains("# TYPE celeriac_task_duration_seconds histogram", text);
        var (exitCode, output) = await Promtool.RunAsync(text, "check", "metrics");
        Assert.True(exitCode == 0, output + "\n" + text);
    }
}
