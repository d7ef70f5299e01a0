using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Celeriac.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Testing.InProcess;

/// <summary>Records the measurements of one host's "Celeriac" meter (other tests run their own hosts in parallel).</summary>
public sealed class MeterRecorder : IDisposable
{
    public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags);

    private readonly MeterListener _listener = new();

    public MeterRecorder(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name != CeleriacDiagnostics.MeterName || !ReferenceEquals(instrument.Meter.Scope, factory)) return;
            Instruments[instrument.Name] = instrument;
            l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Measurements.Enqueue(new Measurement(i.Name, value, ToDictionary(tags))));
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Measurements.Enqueue(new Measurement(i.Name, value, ToDictionary(tags))));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Measurements.Enqueue(new Measurement(i.Name, value, ToDictionary(tags))));
        _listener.Start();
    }

    public ConcurrentQueue<Measurement> Measurements { get; } = new();
    public ConcurrentDictionary<string, Instrument> Instruments { get; } = new();

    /// <summary>Asks observable instruments for their values now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public double Sum(string instrument, string task, string queue = "default") => Measurements
        .Where(m => m.Instrument == instrument && m.Tags.GetValueOrDefault("task") == task && m.Tags.GetValueOrDefault("queue") == queue)
        .Sum(m => m.Value);

    private static Dictionary<string, string?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, string?>();
        foreach (var tag in tags) result[tag.Key] = tag.Value?.ToString();
        return result;
    }

    public void Dispose() => _listener.Dispose();
}
