using System.Globalization;

namespace Celeriac.Celery.Protocol;

/// <summary>Times as Celery writes them: ISO 8601 from Python's <c>datetime.isoformat()</c>, in UTC with an explicit offset.</summary>
public static class CeleryTime
{
    /// <summary>Python's isoformat of an aware UTC time: microseconds only when there are some, then <c>+00:00</c>.</summary>
    public static string Format(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        var micros = utc.Ticks % TimeSpan.TicksPerSecond / 10;
        return micros == 0
            ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss'.'ffffff'+00:00'", CultureInfo.InvariantCulture);
    }

    /// <summary>Python's isoformat of a naive UTC time (Celery's <c>date_done</c>).</summary>
    public static string FormatNaive(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        var micros = utc.Ticks % TimeSpan.TicksPerSecond / 10;
        return micros == 0
            ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss'.'ffffff", CultureInfo.InvariantCulture);
    }

    /// <summary>An ISO 8601 time; one without an offset is UTC (Celery's default, <c>enable_utc</c>). False when it is not a time.</summary>
    public static bool TryParse(string? text, out DateTimeOffset time)
    {
        time = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }
}
