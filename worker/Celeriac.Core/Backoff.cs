namespace Celeriac;

/// <summary>The one exponential backoff: task retries, receive loops after a failure, transports' own retries.</summary>
public static class Backoff
{
    /// <summary>
    /// <paramref name="first"/> × 2^<paramref name="attempt"/> (attempt 0 is the first delay), capped at
    /// <paramref name="max"/>; with <paramref name="jitter"/>, drawn uniformly from [d/2, d] so that many waiters
    /// that failed together do not come back together.
    /// </summary>
    public static TimeSpan Exponential(int attempt, TimeSpan first, TimeSpan max, Random? jitter = null)
    {
        var exponent = Math.Clamp(attempt, 0, 30);
        var delay = Math.Min(first.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        if (jitter is not null) delay = delay / 2 + jitter.NextDouble() * delay / 2;
        return TimeSpan.FromMilliseconds(Math.Max(0, delay));
    }
}
