using System.Globalization;

namespace Celeriac.Prometheus;

/// <summary>The series of one exported metric name, fed by one or more instruments of the same kind.</summary>
internal sealed class MetricFamily(string name, string help, MetricKind kind, Aggregation aggregation, bool observable, double[] bounds, int maxSeries)
{
    private const string OverflowKey = "\u0001overflow";
    private static readonly KeyValuePair<string, string>[] OverflowLabels = [new("otel_metric_overflow", "true")];

    private readonly Dictionary<string, MetricSeries> _series = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public string Name { get; } = name;
    public string Help { get; } = help;
    public MetricKind Kind { get; } = kind;
    public Aggregation Aggregation { get; } = aggregation;
    /// <summary>Observable instruments report their whole state at each collection.</summary>
    public bool Observable { get; } = observable;
    /// <summary>Upper bounds of the histogram buckets, ascending, without +Inf.</summary>
    public double[] Bounds { get; } = bounds;

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = ToLabels(tags);
        var key = Key(labels);
        lock (_lock)
        {
            if (!_series.TryGetValue(key, out var series))
            {
                if (_series.Count >= maxSeries)
                {
                    key = OverflowKey;
                    labels = OverflowLabels;
                }
                if (!_series.TryGetValue(key, out series))
                {
                    series = new MetricSeries(labels, Bounds.Length + 1);
                    _series[key] = series;
                }
            }
            switch (Aggregation)
            {
                case Aggregation.Sum:
                    series.Value += value;
                    break;
                case Aggregation.LastValue:
                    series.Value = value;
                    break;
                case Aggregation.Histogram:
                    var index = Array.BinarySearch(Bounds, value);
                    // An exact bound belongs to its own bucket (le is "less or equal").
                    series.Buckets[index >= 0 ? index : ~index]++;
                    series.Sum += value;
                    series.Count++;
                    break;
            }
        }
    }

    /// <summary>Forgets every series; observable families call this before each collection.</summary>
    public void Clear()
    {
        lock (_lock) _series.Clear();
    }

    /// <summary>Writes HELP, TYPE and the series in a stable order (sorted by labels).</summary>
    public void WriteTo(TextWriter writer)
    {
        lock (_lock)
        {
            writer.Write("# HELP ");
            writer.Write(Name);
            writer.Write(' ');
            writer.Write(PrometheusText.EscapeHelp(Help));
            writer.Write("\n# TYPE ");
            writer.Write(Name);
            writer.Write(' ');
            writer.Write(Kind switch { MetricKind.Counter => "counter", MetricKind.Gauge => "gauge", _ => "histogram" });
            writer.Write('\n');
            foreach (var series in _series.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value))
            {
                if (Kind != MetricKind.Histogram)
                {
                    PrometheusText.WriteSample(writer, Name, series.Labels, null, series.Value);
                    continue;
                }
                long cumulative = 0;
                for (var i = 0; i < Bounds.Length; i++)
                {
                    cumulative += series.Buckets[i];
                    PrometheusText.WriteSample(writer, Name + "_bucket", series.Labels, PrometheusText.FormatValue(Bounds[i]), cumulative);
                }
                cumulative += series.Buckets[^1];
                PrometheusText.WriteSample(writer, Name + "_bucket", series.Labels, "+Inf", cumulative);
                PrometheusText.WriteSample(writer, Name + "_sum", series.Labels, null, series.Sum);
                PrometheusText.WriteSample(writer, Name + "_count", series.Labels, null, series.Count);
            }
        }
    }

    private static KeyValuePair<string, string>[] ToLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty) return [];
        var labels = new KeyValuePair<string, string>[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            var value = tags[i].Value switch
            {
                null => "",
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                var other => other.ToString() ?? "",
            };
            labels[i] = new(PrometheusNames.LabelName(tags[i].Key), value);
        }
        Array.Sort(labels, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return labels;
    }

    private static string Key(KeyValuePair<string, string>[] labels) => labels.Length switch
    {
        0 => "",
        _ => string.Join('\u0002', labels.Select(l => l.Key + "\u0003" + l.Value)),
    };
}
