using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.TaskIndex;

/// <summary>
/// Takes the index's events off the tasks' path and writes them to the store in batches: every
/// <see cref="TaskIndexOptions.FlushInterval"/>, or sooner once a batch is full, with the events of one task folded into
/// one write and the latest progress of each task. While the store is slow or away it holds up to
/// <see cref="TaskIndexOptions.MaxPending"/> events and drops newer ones, so that neither memory nor the tasks suffer;
/// the index is a view, not a record of truth. Each flush adds the starts of the tasks running then
/// (<see cref="RunningStarts"/>). A process without a host (the CLI) writes what is left when disposed.
/// </summary>
public sealed partial class TaskIndexWriter(ITaskIndex index, RunningStarts starts, IOptions<TaskIndexOptions> options, TimeProvider time, ILogger<TaskIndexWriter> logger)
    : BackgroundService, IAsyncDisposable
{
    private const int MaxBatch = 2_000;
    private readonly TaskIndexOptions _options = options.Value;
    private readonly ConcurrentQueue<TaskEvent> _queue = new();
    private readonly ConcurrentDictionary<string, TaskEvent> _progress = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _full = new(0, 1);
    private readonly SemaphoreSlim _flushing = new(1, 1);
    // Used by one flush at a time (under _flushing) and cleared after it, so that a busy worker does not grow them anew
    // for every batch.
    private readonly Dictionary<string, TaskEvent> _batch = new(StringComparer.Ordinal);
    private readonly Dictionary<(DateTimeOffset Minute, string Name, TaskState State), long> _activity = [];
    private long _pending;
    private long _dropped;
    private bool _failing;
    private long _lastDropReport;

    public bool Enabled => _options.Enabled;

    /// <summary>Queues an event for the next flush; never blocks, never throws.</summary>
    public void Record(TaskEvent e)
    {
        if (!_options.Enabled) return;
        var pending = Interlocked.Increment(ref _pending);
        if (pending > _options.MaxPending)
        {
            Interlocked.Decrement(ref _pending);
            Interlocked.Increment(ref _dropped);
            return;
        }
        _queue.Enqueue(e);
        if (pending == MaxBatch) Wake();
    }

    /// <summary>Keeps a task's latest progress for the next flush (earlier reports not yet written are replaced).</summary>
    public void RecordProgress(TaskEvent progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (_options.Enabled) _progress[progress.TaskId] = progress;
    }

    /// <summary>Writes what is queued now (tests, and a reset that must reach the store before the task is sent again).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (await WriteBatchAsync(cancellationToken).ConfigureAwait(false))
            {
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled) return;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _full.WaitAsync(_options.FlushInterval, stoppingToken).ConfigureAwait(false);
                await FlushAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes one batch; true when more is queued.</summary>
    private async Task<bool> WriteBatchAsync(CancellationToken cancellationToken)
    {
        var batch = _batch;
        var activity = _activity;
        var taken = 0;
        while (taken < MaxBatch && _queue.TryDequeue(out var e))
        {
            Interlocked.Decrement(ref _pending);
            taken++;
            if (e.CountsAsActivity && e.TaskName is { } name)
            {
                var key = (TaskActivity.MinuteOf(e.At), name, e.State!.Value);
                activity[key] = activity.GetValueOrDefault(key) + 1;
            }
            TaskEvent.FoldInto(batch, e);
        }
        foreach (var id in _progress.Keys)
            if (_progress.TryRemove(id, out var progress))
                TaskEvent.FoldInto(batch, progress);
        starts.AddTo(batch);
        ReportDrops();
        if (batch.Count == 0 && activity.Count == 0) return false;
        try
        {
            await index.RecordAsync([.. batch.Values],
                [.. activity.Select(a => new TaskActivity(a.Key.Minute, a.Key.Name, a.Key.State, a.Value))],
                new TaskIndexLimits(_options.MaxTasks, _options.MaxAge), cancellationToken).ConfigureAwait(false);
            if (_failing) LogRecovered();
            _failing = false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (!_failing) LogWriteFailed(ex, batch.Count);
            _failing = true;
        }
        finally
        {
            batch.Clear();
            activity.Clear();
        }
        return taken == MaxBatch;
    }

    private void ReportDrops()
    {
        var now = time.GetTimestamp();
        if (Interlocked.Read(ref _dropped) == 0 || time.GetElapsedTime(Interlocked.Read(ref _lastDropReport), now) < TimeSpan.FromMinutes(1)) return;
        Interlocked.Exchange(ref _lastDropReport, now);
        LogDropped(Interlocked.Exchange(ref _dropped, 0), _options.MaxPending);
    }

    private void Wake()
    {
        try
        {
            if (_full.CurrentCount == 0) _full.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_options.Enabled && (!_queue.IsEmpty || !_progress.IsEmpty))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await FlushAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        Dispose();
    }

    public override void Dispose()
    {
        _full.Dispose();
        _flushing.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(LogLevel.Warning, "Writing {Count} task index entries failed; the index misses them (retrying with the next batch)")]
    private partial void LogWriteFailed(Exception exception, int count);

    [LoggerMessage(LogLevel.Information, "Writing task index entries works again")]
    private partial void LogRecovered();

    [LoggerMessage(LogLevel.Warning, "The task index dropped {Count} events in the last minute: more than {MaxPending} were waiting for the store")]
    private partial void LogDropped(long count, int maxPending);
}
