using Celeriac.RateLimits;

namespace Celeriac.Control;

/// <summary>
/// The control settings this process applied last, read by the middlewares and the fetch loop on every use: a rate limit
/// or time limit set through control replaces the task type's configured one; a paused queue is not fetched from.
/// </summary>
public sealed class ControlState
{
    private volatile ControlSettings _settings = ControlSettings.Empty;

    public ControlSettings Settings => _settings;

    /// <summary>The version of the settings applied (0: none read yet).</summary>
    public long Version => _settings.Version;

    public void Apply(ControlSettings settings) => _settings = settings ?? throw new ArgumentNullException(nameof(settings));

    /// <summary>True when control replaced the task type's rate limit; <paramref name="limit"/> is then the limit in force (null: none).</summary>
    public bool TryGetRateLimit(string task, out RateLimit? limit)
    {
        var rates = _settings.RateLimits;
        if (rates.Count == 0)
        {
            limit = null;
            return false;
        }
        return rates.TryGetValue(task, out limit);
    }

    public bool TryGetSoftTimeLimit(string task, out TimeSpan? limit) => TryGet(_settings.SoftTimeLimits, task, out limit);

    public bool TryGetHardTimeLimit(string task, out TimeSpan? limit) => TryGet(_settings.HardTimeLimits, task, out limit);

    public bool IsPaused(string queue)
    {
        var paused = _settings.PausedQueues;
        return paused.Count > 0 && paused.ContainsKey(queue);
    }

    private static bool TryGet(IReadOnlyDictionary<string, TimeSpan?> limits, string task, out TimeSpan? limit)
    {
        if (limits.Count == 0)
        {
            limit = null;
            return false;
        }
        return limits.TryGetValue(task, out limit);
    }
}
