namespace Celeriac.Prometheus;

/// <summary>Histogram bucket bounds, in seconds where they measure time.</summary>
public static class PrometheusBuckets
{
    /// <summary>Prometheus client libraries' default buckets.</summary>
    public static IReadOnlyList<double> Default { get; } = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
}
