namespace Celeriac.Bench;

/// <summary>The bench's order statistics, written once.</summary>
public static class Statistics
{
    /// <summary>The nearest-rank percentile of sorted values (the smallest value with at least <paramref name="q"/> of them at or below it); NaN for none.</summary>
    public static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>The middle value (the upper of the two middle ones for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
