namespace Celeriac.Prometheus;

/// <summary>How measurements of one instrument combine into a series' value.</summary>
internal enum Aggregation
{
    /// <summary>Counters and up-down counters: measurements are increments.</summary>
    Sum,
    /// <summary>Gauges and observable instruments: a measurement is the current value.</summary>
    LastValue,
    Histogram,
}
