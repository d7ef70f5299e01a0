using Celeriac.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Prometheus.Tests;

public sealed class OperatorMetricsTests
{
    [Fact]
    public async Task Operator_metrics_have_the_designs_names_and_forgotten_taskqueues_disappear()
    {
        await using var services = new ServiceCollection()
            .AddPrometheusExporter(o => o.MeterNames.Add(CeleriacDiagnostics.MeterName))
            .AddSingleton<OperatorMetrics>()
            .BuildServiceProvider();
        var collector = services.GetRequiredService<PrometheusCollector>();
        var metrics = services.GetRequiredService<OperatorMetrics>();
        metrics.SetQueueDepth("billing", "default", 640);
        metrics.SetQueueDepth("reports", "default", 1);
        metrics.SetPoolReplicas("billing", "general", current: 7, desired: 9, min: 0, max: 50);
        metrics.RecordReconcile("success", TimeSpan.FromMilliseconds(30));
        metrics.RecordReconcile("error", TimeSpan.FromMilliseconds(2));

        var text = collector.Collect();
        Assert.Contains("celeriac_queue_depth{queue=\"default\",taskqueue=\"billing\"} 640\n", text);
        Assert.Contains("celeriac_pool_replicas{kind=\"current\",pool=\"general\",taskqueue=\"billing\"} 7\n", text);
        Assert.Contains("celeriac_pool_replicas{kind=\"desired\",pool=\"general\",taskqueue=\"billing\"} 9\n", text);
        Assert.Contains("celeriac_pool_replicas{kind=\"max\",pool=\"general\",taskqueue=\"billing\"} 50\n", text);
        Assert.Contains("celeriac_operator_reconcile_total{result=\"error\"} 1\n", text);
        Assert.Contains("celeriac_operator_reconcile_duration_seconds_count{result=\"success\"} 1\n", text);
        var (exitCode, output) = await Promtool.RunAsync(text, "check", "metrics");
        Assert.True(exitCode == 0, output);

        metrics.Forget("billing");
        var after = collector.Collect();
        Assert.DoesNotContain("taskqueue=\"billing\"", after);
        Assert.Contains("celeriac_queue_depth{queue=\"default\",taskqueue=\"reports\"} 1\n", after);
    }
}
