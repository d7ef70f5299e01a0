using System.Globalization;
using Celeriac.RateLimits;

namespace Celeriac.Control;

/// <summary>
/// The control settings in force, read from a <see cref="ControlSnapshot"/>: rate limits and time limits that replace a task
/// type's configured ones, paused queues, and workers asked to shut down. The one place the store's keys are spelled.
/// An entry that does not parse (written by a later release) is ignored.
/// </summary>
public sealed class ControlSettings
{
    public const string None = "none";
    private const string RateLimitPrefix = "rate-limit:";
    private const string SoftTimeLimitPrefix = "soft-time-limit:";
    private const string HardTimeLimitPrefix = "hard-time-limit:";
    private const string PausedPrefix = "paused:";
    private const string ShutdownPrefix = "shutdown:";

    private ControlSettings(long version)
    {
        Version = version;
    }

    public long Version { get; }

    /// <summary>Per task type: the rate limit that replaces the configured one (null: no limit at all).</summary>
    public IReadOnlyDictionary<string, RateLimit?> RateLimits { get; private init; } = new Dictionary<string, RateLimit?>();

    /// <summary>Per task type: the soft time limit that replaces the configured one (null: none).</summary>
    public IReadOnlyDictionary<string, TimeSpan?> SoftTimeLimits { get; private init; } = new Dictionary<string, TimeSpan?>();

    /// <summary>Per task type: the hard time limit that replaces the configured one (null: none).</summary>
    public IReadOnlyDictionary<string, TimeSpan?> HardTimeLimits { get; private init; } = new Dictionary<string, TimeSpan?>();

    /// <summary>Queues no worker fetches from, with when they were paused.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> PausedQueues { get; private init; } = new Dictionary<string, DateTimeOffset>();

    /// <summary>Worker ids asked to shut down, with when.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Shutdowns { get; private init; } = new Dictionary<string, DateTimeOffset>();

    public bool IsEmpty => RateLimits.Count == 0 && SoftTimeLimits.Count == 0 && HardTimeLimits.Count == 0 && PausedQueues.Count == 0 && Shutdowns.Count == 0;

    public static ControlSettings Empty { get; } = new(0);

    public static ControlSettings From(ControlSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var rates = new Dictionary<string, RateLimit?>(StringComparer.Ordinal);
        var soft = new Dictionary<string, TimeSpan?>(StringComparer.Ordinal);
        var hard = new Dictionary<string, TimeSpan?>(StringComparer.Ordinal);
        var paused = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var shutdowns = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (key, value) in snapshot.Entries)
        {
            if (Named(key, RateLimitPrefix) is { } rateTask && TryParseRateLimit(value, out var rate)) rates[rateTask] = rate;
            else if (Named(key, SoftTimeLimitPrefix) is { } softTask && TryParseTimeLimit(value, out var s)) soft[softTask] = s;
            else if (Named(key, HardTimeLimitPrefix) is { } hardTask && TryParseTimeLimit(value, out var h)) hard[hardTask] = h;
            else if (Named(key, PausedPrefix) is { } queue && TryParseTime(value, out var at)) paused[queue] = at;
            else if (Named(key, ShutdownPrefix) is { } worker && TryParseTime(value, out var asked)) shutdowns[worker] = asked;
        }
        return new ControlSettings(snapshot.Version)
        {
            RateLimits = rates,
            SoftTimeLimits = soft,
            HardTimeLimits = hard,
            PausedQueues = paused,
            Shutdowns = shutdowns,
        };
    }

    public static string RateLimitKey(string task) => RateLimitPrefix + task;
    public static string SoftTimeLimitKey(string task) => SoftTimeLimitPrefix + task;
    public static string HardTimeLimitKey(string task) => HardTimeLimitPrefix + task;
    public static string PausedKey(string queue) => PausedPrefix + queue;
    public static string ShutdownKey(string workerId) => ShutdownPrefix + workerId;

    public static string FormatTime(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>A rate limit as control takes it: <c>N/s</c>, <c>N/m</c>, <c>N/h</c>, or <c>none</c> (no limit).</summary>
    public static bool TryParseRateLimit(string text, out RateLimit? limit)
    {
        limit = null;
        if (string.Equals(text, None, StringComparison.OrdinalIgnoreCase)) return true;
        try
        {
            limit = RateLimit.Parse(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>A time limit as control takes it: a positive TimeSpan (<c>00:00:30</c>), or <c>none</c>.</summary>
    public static bool TryParseTimeLimit(string text, out TimeSpan? limit)
    {
        limit = null;
        if (string.Equals(text, None, StringComparison.OrdinalIgnoreCase)) return true;
        if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) || value <= TimeSpan.Zero) return false;
        limit = value;
        return true;
    }

    private static bool TryParseTime(string text, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);

    private static string? Named(string key, string prefix) =>
        key.StartsWith(prefix, StringComparison.Ordinal) && key.Length > prefix.Length ? key[prefix.Length..] : null;
}
