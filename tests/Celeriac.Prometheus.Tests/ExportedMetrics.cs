using System.Text.RegularExpressions;
using Celeriac.Hosting;
using Celeriac.Observability;
using Celeriac.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Prometheus.Tests;

/// <summary>The Prometheus names that Celeriac's code exports: worker (task and worker metrics) and operator.</summary>
public static partial class ExportedMetrics
{
    /// <summary>Every sample name (histograms as _bucket, _sum and _count) of an exposition with all instruments created.</summary>
    public static (HashSet<string> SampleNames, string Exposition) Collect()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddCeleriac(c => c.UseInMemoryBroker().AddWorker());
        builder.Services.AddPrometheusExporter(o => o.MeterNames.Add(CeleriacDiagnostics.MeterName));
        builder.Services.AddSingleton<OperatorMetrics>();
        using var host = builder.Build();
        var collector = host.Services.GetRequiredService<PrometheusCollector>();
        _ = host.Services.GetServices<ITaskObserver>().OfType<TaskMetrics>().Single();
        _ = host.Services.GetRequiredService<WorkerMetrics>();
        var operatorMetrics = host.Services.GetRequiredService<OperatorMetrics>();
        operatorMetrics.SetQueueDepth("billing", "default", 3);
        operatorMetrics.SetPoolReplicas("billing", "general", 1, 2, 0, 5);

        var exposition = collector.Collect();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in TypeLine().Matches(exposition))
        {
            var name = match.Groups[1].Value;
            if (match.Groups[2].Value == "histogram")
            {
                names.Add(name + "_bucket");
                names.Add(name + "_sum");
                names.Add(name + "_count");
            }
            else names.Add(name);
        }
        return (names, exposition);
    }

    /// <summary>Metric names that a PromQL expression mentions (Celeriac's only: they start with celeriac_).</summary>
    public static IEnumerable<string> NamesIn(string promql) => MetricName().Matches(promql).Select(m => m.Value);

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"\bceleriac_[a-zA-Z0-9_]+")]
    private static partial Regex MetricName();
}
