namespace Celeriac.Prometheus;

/// <summary>One label set of one metric. Guarded by its family's lock.</summary>
internal sealed class MetricSeries(KeyValuePair<string, string>[] labels, int bucketCount)
{
    /// <summary>Label names (sanitised) and values, sorted by name.</summary>
    public KeyValuePair<string, string>[] Labels { get; } = labels;
    public double Value { get; set; }
    /// <summary>Per-bucket (not cumulative) counts; the last one is the +Inf bucket.</summary>
    public long[] Buckets { get; } = new long[bucketCount];
    public double Sum { get; set; }
    public long Count { get; set; }
}
