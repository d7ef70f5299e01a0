using System.Globalization;

namespace Celeriac.RateLimits;

/// <summary>At most <see cref="Count"/> task starts per <see cref="Period"/>, across all workers: <c>70/s</c>, <c>1000/m</c>, <c>10/h</c>.</summary>
public readonly record struct RateLimit(int Count, TimeSpan Period)
{
    /// <summary>Time between two starts when the limit is saturated.</summary>
    public TimeSpan Interval => Period / Count;

    public static RateLimit Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !int.TryParse(text.AsSpan(0, slash).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count <= 0)
            throw new FormatException($"Rate limit '{text}' is not of the form N/s, N/m or N/h.");
        var period = text[(slash + 1)..].Trim() switch
        {
            "s" => TimeSpan.FromSeconds(1),
            "m" => TimeSpan.FromMinutes(1),
            "h" => TimeSpan.FromHours(1),
            _ => throw new FormatException($"Rate limit '{text}' is not of the form N/s, N/m or N/h."),
        };
        return new RateLimit(count, period);
    }

    public override string ToString() =>
        FormattableString.Invariant($"{Count}/{(Period == TimeSpan.FromSeconds(1) ? "s" : Period == TimeSpan.FromMinutes(1) ? "m" : "h")}");
}
