using System.Collections.Concurrent;
using Celeriac.Stores;
using Microsoft.Extensions.Logging;

namespace Celeriac.Worker;

/// <summary>
/// Keeps this worker's copy of the revoked task ids and task names, polled from the store a few times a second, and
/// cancels running tasks as soon as they appear in it. One poll per worker, whatever its concurrency,
/// instead of one store round trip per task.
/// </summary>
public sealed partial class RevocationWatcher : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<CancellationTokenSource, RunningTask> _running = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationToken _stopping;
    private readonly Lock _lock = new();
    private HashSet<string> _revoked = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, DateTimeOffset> _revokedNames = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
    private readonly IRevocationStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<RevocationWatcher> _logger;
    private Task? _started;

    public RevocationWatcher(IRevocationStore store, TimeProvider time, ILogger<RevocationWatcher> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
        // Taken once: the loop may still be finishing a poll when the source is disposed.
        _stopping = _stop.Token;
    }

    /// <summary>Completes once the revocations were read once (or that failed), so the first tasks see them too.</summary>
    public Task EnsureStartedAsync()
    {
        if (Volatile.Read(ref _started) is { } started) return started;
        lock (_lock) return _started ??= StartAsync();
    }

    private async Task StartAsync()
    {
        await RefreshAsync().ConfigureAwait(false);
        _ = Task.Run(LoopAsync);
    }

    public bool IsRevoked(string taskId) => Volatile.Read(ref _revoked).Contains(taskId);

    /// <summary>Revoked by id, or by name (created before the name was revoked).</summary>
    public bool IsRevoked(string taskId, string taskName, DateTimeOffset created) =>
        IsRevoked(taskId) || RevokedByName(Volatile.Read(ref _revokedNames), taskName, created);

    /// <summary>Cancels <paramref name="cancellation"/> when <paramref name="taskId"/> is revoked, until disposed.</summary>
    public IDisposable Track(string taskId, CancellationTokenSource cancellation) => Track(taskId, null, DateTimeOffset.MaxValue, cancellation);

    /// <summary>Cancels <paramref name="cancellation"/> when the task is revoked by id or by name, until disposed.</summary>
    public IDisposable Track(string taskId, string? taskName, DateTimeOffset created, CancellationTokenSource cancellation)
    {
        var task = new RunningTask(taskId, taskName, created);
        _running[cancellation] = task;
        if (IsRevoked(task)) cancellation.Cancel();
        return new Registration(this, cancellation);
    }

    private bool IsRevoked(RunningTask task) =>
        task.Name is null ? IsRevoked(task.Id) : IsRevoked(task.Id, task.Name, task.Created);

    private static bool RevokedByName(IReadOnlyDictionary<string, DateTimeOffset> names, string taskName, DateTimeOffset created) =>
        names.TryGetValue(taskName, out var revokedAt) && created <= revokedAt;

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(PollInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping).ConfigureAwait(false))
                await RefreshAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            var revoked = await _store.GetRevokedAsync(_stopping).ConfigureAwait(false);
            var names = await _store.GetRevokedTaskNamesAsync(_stopping).ConfigureAwait(false);
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
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            LogPollFailed(ex);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private sealed record RunningTask(string Id, string? Name, DateTimeOffset Created);

    private sealed class Registration(RevocationWatcher watcher, CancellationTokenSource cancellation) : IDisposable
    {
        public void Dispose() => watcher._running.TryRemove(cancellation, out _);
    }

    [LoggerMessage(LogLevel.Information, "Task {TaskId} was revoked while running; cancelling it")]
    private partial void LogCancelling(string taskId);

    [LoggerMessage(LogLevel.Warning, "Reading revocations from the store failed; trying again shortly")]
    private partial void LogPollFailed(Exception exception);
}
