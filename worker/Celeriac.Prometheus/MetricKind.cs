namespace Celeriac.Prometheus;

/// <summary>The Prometheus metric type an instrument is exported as.</summary>
public enum MetricKind
{
    Counter,
    Gauge,
    Histogram,
}
