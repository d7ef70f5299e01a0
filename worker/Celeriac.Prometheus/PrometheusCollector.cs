using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Celeriac.Prometheus;

/// <summary>
/// Listens to the instruments of the configured meters and renders them in the Prometheus text format.
/// Counters become <c>counter</c>, up-down counters and gauges <c>gauge</c>, histograms <c>histogram</c>
/// (bucket bounds from the instrument's advice, else <see cref="PrometheusExporterOptions.DefaultHistogramBuckets"/>).
/// </summary>
public sealed class PrometheusCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly HashSet<string> _meterNames;
    private readonly object? _meterScope;
    private readonly PrometheusExporterOptions _options;
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly Lock _collectLock = new();

    /// <param name="options">Meters to export and limits.</param>
    /// <param name="meterScope">
    /// When given (an <see cref="IMeterFactory"/>), only meters created by it are exported, so that several hosts
    /// in one process (tests) do not mix their measurements. Meters created without a factory are exported too.
    /// </param>
    public PrometheusCollector(PrometheusExporterOptions options, object? meterScope = null)
    {
        _options = options;
        _meterNames = new HashSet<string>(options.MeterNames, StringComparer.Ordinal);
        _meterScope = meterScope;
        _listener.InstrumentPublished = OnInstrumentPublished;
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>((_, value, tags, state) => ((MetricFamily)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>The exposition of every exported metric, sorted by name.</summary>
    public string Collect()
    {
        using var writer = new StringWriter(new StringBuilder(4096), System.Globalization.CultureInfo.InvariantCulture);
        lock (_collectLock)
        {
            var families = _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
            foreach (var family in families.Where(f => f.Observable)) family.Clear();
            _listener.RecordObservableInstruments();
            foreach (var family in families) family.WriteTo(writer);
        }
        return writer.ToString();
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter;
        if (!_meterNames.Contains(meter.Name)) return;
        if (_meterScope is not null && meter.Scope is not null && !ReferenceEquals(meter.Scope, _meterScope)) return;
        if (Classify(instrument) is not var (kind, aggregation, observable)) return;

        var name = PrometheusNames.MetricName(instrument.Name, instrument.Unit, kind);
        var bounds = kind == MetricKind.Histogram ? BucketBounds(instrument) : [];
        var family = _families.GetOrAdd(name, _ => new MetricFamily(
            name, string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description,
            kind, aggregation, observable, bounds, Math.Max(1, _options.MaxSeriesPerMetric)));
        // Two instruments may map to one name (a meter re-created, or two meters of the same name): they share
        // the family when they agree on its shape; otherwise the later one is not exported.
        if (family.Kind != kind || family.Aggregation != aggregation || family.Observable != observable || !family.Bounds.SequenceEqual(bounds)) return;
        listener.EnableMeasurementEvents(instrument, family);
    }

    private static (MetricKind Kind, Aggregation Aggregation, bool Observable)? Classify(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(Counter<>)) return (MetricKind.Counter, Aggregation.Sum, false);
        if (definition == typeof(UpDownCounter<>)) return (MetricKind.Gauge, Aggregation.Sum, false);
        if (definition == typeof(Histogram<>)) return (MetricKind.Histogram, Aggregation.Histogram, false);
        if (definition == typeof(Gauge<>)) return (MetricKind.Gauge, Aggregation.LastValue, false);
        if (definition == typeof(ObservableCounter<>)) return (MetricKind.Counter, Aggregation.LastValue, true);
        if (definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>)) return (MetricKind.Gauge, Aggregation.LastValue, true);
        return null;
    }

    private double[] BucketBounds(Instrument instrument)
    {
        IEnumerable<double>? advice = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b),
            _ => null,
        };
        return [.. (advice ?? _options.DefaultHistogramBuckets).Where(double.IsFinite).Distinct().Order()];
    }

    public void Dispose() => _listener.Dispose();
}
