using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Celeriac.Revocation;

/// <summary>
/// Keeps this worker's copy of the revoked task ids and task names, polled from the store a few times a second, and
/// cancels running tasks as soon as they appear in it: one poll per worker, whatever its concurrency, instead of a
/// store round trip per task. A hosted service: its first read completes before the worker starts fetching (it is
/// registered first), so the first tasks see the revocations too. While the store does not answer it backs off and
/// says so once, and once more when it answers again.
/// </summary>
public sealed partial class RevocationWatcher(IRevocationStore store, TimeProvider time, ILogger<RevocationWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<CancellationTokenSource, RunningTask> _running = new();
    private HashSet<string> _revoked = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, DateTimeOffset> _revokedNames = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
    private int _failures;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = _failures == 0 ? PollInterval : Backoff.Exponential(_failures - 1, PollInterval, MaxBackoff);
                await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public bool IsRevoked(string taskId) => Volatile.Read(ref _revoked).Contains(taskId);

    /// <summary>Revoked by id, or by name (created before the name was revoked).</summary>
    public bool IsRevoked(string taskId, string taskName, DateTimeOffset created) =>
        IsRevoked(taskId) || RevokedByName(Volatile.Read(ref _revokedNames), taskName, created);

    /// <summary>Cancels <paramref name="cancellation"/> when the task is revoked by id or by name, until disposed.</summary>
    public IDisposable Track(string taskId, string taskName, DateTimeOffset created, CancellationTokenSource cancellation)
    {
        ArgumentNullException.ThrowIfNull(cancellation);
        var task = new RunningTask(taskId, taskName, created);
        _running[cancellation] = task;
        if (IsRevoked(task)) cancellation.Cancel();
        return new Registration(this, cancellation);
    }

    private bool IsRevoked(RunningTask task) => IsRevoked(task.Id, task.Name, task.Created);

    private static bool RevokedByName(IReadOnlyDictionary<string, DateTimeOffset> names, string taskName, DateTimeOffset created) =>
        names.TryGetValue(taskName, out var revokedAt) && created <= revokedAt;

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var revoked = await store.GetRevokedAsync(cancellationToken).ConfigureAwait(false);
            var names = await store.GetRevokedTaskNamesAsync(cancellationToken).ConfigureAwait(false);
            if (_failures > 0) LogPollRecovered(_failures);
            _failures = 0;
            var set = new HashSet<string>(revoked, StringComparer.Ordinal);
            Volatile.Write(ref _revoked, set);
            Volatile.Write(ref _revokedNames, names);
            if (set.Count == 0 && names.Count == 0) return;
            foreach (var (cancellation, task) in _running)
            {
                if (!IsRevoked(task)) continue;
                LogCancelling(task.Id);
                try { await cancellation.CancelAsync().ConfigureAwait(false); }
                catch (ObjectDisposedException) { }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (_failures++ == 0) LogPollFailed(ex);
        }
    }

    private sealed record RunningTask(string Id, string Name, DateTimeOffset Created);

    private sealed class Registration(RevocationWatcher watcher, CancellationTokenSource cancellation) : IDisposable
    {
        public void Dispose() => watcher._running.TryRemove(cancellation, out _);
    }

    // Debug: the task's own line ("was revoked", at Information) follows when it has stopped.
    [LoggerMessage(LogLevel.Debug, "Task {TaskId} was revoked while running; cancelling it")]
    private partial void LogCancelling(string taskId);

    [LoggerMessage(LogLevel.Warning, "Reading revocations from the store failed; revocations made meanwhile are not seen until it answers again (trying with back-off)")]
    private partial void LogPollFailed(Exception exception);

    [LoggerMessage(LogLevel.Information, "Reading revocations from the store works again after {Failures} failed attempts")]
    private partial void LogPollRecovered(int failures);
}
