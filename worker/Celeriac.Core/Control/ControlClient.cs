using System.Diagnostics;
using System.Globalization;
using Celeriac.Registry;
using Microsoft.Extensions.Options;

namespace Celeriac.Control;

/// <summary>
/// What the CLI and the dashboard change at run time, through the store: a task type's rate limit and time limits (and
/// back to the configured ones), pausing and resuming a queue, shutting workers down. Each change gets a version; the
/// workers that applied it acknowledge it in their registry entry (<see cref="WaitForAcknowledgementsAsync"/>).
/// </summary>
public sealed class ControlClient(IControlStore store, IWorkerRegistry registry, IOptions<RegistryOptions> registryOptions, TimeProvider time)
{
    /// <summary>Sets the rate limit of <paramref name="task"/> on every worker: <c>N/s</c>, <c>N/m</c>, <c>N/h</c>, <c>none</c>; null goes back to the configured one.</summary>
    public ValueTask<long> SetRateLimitAsync(string task, string? limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(task);
        if (limit is not null && !ControlSettings.TryParseRateLimit(limit.Trim(), out _))
            throw new ArgumentException($"rate limit '{limit}' is not of the form N/s, N/m or N/h, nor 'none'");
        return store.SetAsync(ControlSettings.RateLimitKey(task), limit?.Trim(), cancellationToken);
    }

    /// <summary>Sets the soft and/or hard time limit of <paramref name="task"/>: a positive TimeSpan or <c>none</c>; <paramref name="reset"/> goes back to the configured ones.</summary>
    public async ValueTask<long> SetTimeLimitsAsync(string task, string? soft, string? hard, bool reset, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(task);
        if (reset)
        {
            await store.SetAsync(ControlSettings.SoftTimeLimitKey(task), null, cancellationToken).ConfigureAwait(false);
            return await store.SetAsync(ControlSettings.HardTimeLimitKey(task), null, cancellationToken).ConfigureAwait(false);
        }
        if (soft is null && hard is null) throw new ArgumentException("give a soft or a hard time limit (or reset)");
        foreach (var (name, value) in new[] { ("soft", soft), ("hard", hard) })
            if (value is not null && !ControlSettings.TryParseTimeLimit(value, out _))
                throw new ArgumentException($"{name} time limit '{value}' is not a positive duration like 00:00:30, nor 'none'");
        long version = 0;
        if (soft is not null) version = await store.SetAsync(ControlSettings.SoftTimeLimitKey(task), soft, cancellationToken).ConfigureAwait(false);
        if (hard is not null) version = await store.SetAsync(ControlSettings.HardTimeLimitKey(task), hard, cancellationToken).ConfigureAwait(false);
        return version;
    }

    /// <summary>No worker fetches from <paramref name="queue"/> until it is resumed; what runs finishes.</summary>
    public ValueTask<long> PauseAsync(string queue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        return store.SetAsync(ControlSettings.PausedKey(queue), ControlSettings.FormatTime(time.GetUtcNow()), cancellationToken);
    }

    public ValueTask<long> ResumeAsync(string queue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue);
        return store.SetAsync(ControlSettings.PausedKey(queue), null, cancellationToken);
    }

    /// <summary>Asks the workers to stop fetching, finish what they hold and exit (exit code 0). Requests older than the registry keeps entries are dropped.</summary>
    public async ValueTask<long> ShutdownAsync(IReadOnlyCollection<string> workerIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workerIds);
        if (workerIds.Count == 0) throw new ArgumentException("no worker to shut down");
        var now = time.GetUtcNow();
        var current = await GetSettingsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (old, at) in current.Shutdowns)
            if (now - at > registryOptions.Value.ForgetAfter) await store.SetAsync(ControlSettings.ShutdownKey(old), null, cancellationToken).ConfigureAwait(false);
        long version = 0;
        foreach (var id in workerIds)
            version = await store.SetAsync(ControlSettings.ShutdownKey(id), ControlSettings.FormatTime(now), cancellationToken).ConfigureAwait(false);
        return version;
    }

    public async ValueTask<ControlSettings> GetSettingsAsync(CancellationToken cancellationToken = default) =>
        await store.GetAsync(-1, cancellationToken).ConfigureAwait(false) is { } snapshot ? ControlSettings.From(snapshot) : ControlSettings.Empty;

    /// <summary>
    /// Waits until every live worker (or each of <paramref name="workerIds"/>) applied <paramref name="version"/> or later,
    /// or until <paramref name="timeout"/>; returns who did and who did not.
    /// </summary>
    public async Task<ControlAcknowledgement> WaitForAcknowledgementsAsync(long version, TimeSpan timeout, IReadOnlyCollection<string>? workerIds = null, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var lostAfter = registryOptions.Value.LostAfter;
        while (true)
        {
            var now = time.GetUtcNow();
            var workers = (await registry.ListAsync(cancellationToken).ConfigureAwait(false))
                .Where(w => workerIds is null ? w.StatusAt(now, lostAfter) is WorkerStatus.Online or WorkerStatus.Draining : workerIds.Contains(w.Id))
                .OrderBy(w => w.Id, StringComparer.Ordinal)
                .ToList();
            var applied = workers.Where(w => w.ControlVersion >= version || w.Stopped).ToList();
            var pending = workers.Except(applied).ToList();
            var missing = workerIds?.Where(id => workers.All(w => w.Id != id)).ToList() ?? [];
            if ((pending.Count == 0 && missing.Count == 0) || Stopwatch.GetElapsedTime(started) >= timeout)
                return new ControlAcknowledgement(version, applied, pending, missing);
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Who applied a control change: workers that did, live workers that did not (yet), and asked-for ids not in the registry.</summary>
public sealed record ControlAcknowledgement(long Version, IReadOnlyList<WorkerInfo> Applied, IReadOnlyList<WorkerInfo> Pending, IReadOnlyList<string> Unknown)
{
    public bool Complete => Pending.Count == 0 && Unknown.Count == 0;

    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"applied by {Applied.Count} of {Applied.Count + Pending.Count} workers")
        + (Pending.Count > 0 ? "; not yet by " + string.Join(", ", Pending.Select(w => w.Id)) : "")
        + (Unknown.Count > 0 ? "; not in the registry: " + string.Join(", ", Unknown) : "");
}
