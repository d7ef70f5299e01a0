using System.Globalization;

namespace Celeriac.Prometheus;

/// <summary>The series of one exported metric name, fed by one or more instruments of the same kind.</summary>
internal sealed class MetricFamily(string name, string help, MetricKind kind, Aggregation aggregation, bool observable, double[] bounds, int maxSeries)
{
    private const string OverflowKey = "\u0001overflow";
    private const char KeySeparator = '\u0002';
    private const char NameSeparator = '\u0003';
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
        // The hot path (an existing series, string tag values) builds its lookup key on the stack and allocates nothing.
        Span<char> buffer = stackalloc char[256];
        var key = TryWriteKey(tags, buffer, out var written) ? buffer[..written] : Key(ToLabels(tags)).AsSpan();
        lock (_lock)
        {
            var lookup = _series.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(key, out var series))
            {
                var labels = ToLabels(tags);
                var keyString = key.ToString();
                if (_series.Count >= maxSeries)
                {
                    keyString = OverflowKey;
                    labels = OverflowLabels;
                }
                if (!_series.TryGetValue(keyString, out series))
                {
                    series = new MetricSeries(labels, Bounds.Length + 1);
                    _series[keyString] = series;
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

    /// <summary>The series key: sanitised label names and values, sorted by name, with separators no label contains.</summary>
    private static string Key(KeyValuePair<string, string>[] labels) =>
        string.Join(KeySeparator, labels.Select(l => l.Key + NameSeparator + l.Value));

    /// <summary>Writes <see cref="Key"/> for string-valued tags without allocating; false when it cannot.</summary>
    private static bool TryWriteKey(ReadOnlySpan<KeyValuePair<string, object?>> tags, Span<char> buffer, out int written)
    {
        written = 0;
        if (tags.Length > 8) return false;
        Span<int> order = stackalloc int[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            if (tags[i].Value is not (string or null) || !IsLabelName(tags[i].Key)) return false;
            var j = i;
            while (j > 0 && string.CompareOrdinal(tags[order[j - 1]].Key, tags[i].Key) > 0)
            {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        for (var i = 0; i < order.Length; i++)
        {
            var tag = tags[order[i]];
            var value = (string?)tag.Value ?? "";
            var needed = tag.Key.Length + value.Length + 2;
            if (written + needed > buffer.Length) return false;
            if (i > 0) buffer[written++] = KeySeparator;
            tag.Key.CopyTo(buffer[written..]);
            written += tag.Key.Length;
            buffer[written++] = NameSeparator;
            value.CopyTo(buffer[written..]);
            written += value.Length;
        }
        return true;
    }

    /// <summary>A tag key that is already a valid label name (so the fast key equals the sanitised one).</summary>
    private static bool IsLabelName(string key)
    {
        if (key.Length == 0 || char.IsAsciiDigit(key[0])) return false;
        foreach (var c in key)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return !key.Contains("__", StringComparison.Ordinal);
    }
}
