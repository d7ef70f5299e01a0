namespace Celeriac.Prometheus;

/// <summary>What the exporter listens to and how much it keeps.</summary>
public sealed class PrometheusExporterOptions
{
    /// <summary>Meters whose instruments are exported (exact names). Celeriac's own meter is "Celeriac".</summary>
    public IList<string> MeterNames { get; } = [];

    /// <summary>
    /// Label sets kept per metric; further ones are folded into one series labelled <c>otel_metric_overflow="true"</c>,
    /// so that a label fed by unbounded input cannot exhaust memory or Prometheus.
    /// </summary>
    public int MaxSeriesPerMetric { get; set; } = 2000;

    /// <summary>Bucket bounds for histograms whose instrument gives no advice.</summary>
    public IReadOnlyList<double> DefaultHistogramBuckets { get; set; } = PrometheusBuckets.Default;
}
