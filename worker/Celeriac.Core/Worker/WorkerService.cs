using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Celeriac.Brokers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Worker;

/// <summary>
/// The fetch loop: takes only as many messages as there are free slots (no hoarding), in queue
/// priority order, runs each on the thread pool, keeps their leases alive while they run, and
/// drains on stop (SIGTERM or recycle) within the shutdown grace. The drain starts in <see cref="StoppingAsync"/>, before
/// any hosted service stops, so that a web host keeps serving /healthz, /readyz ("draining") and /metrics until it ends.
/// </summary>
public sealed partial class WorkerService(
    IBroker broker,
    MessageDispatcher dispatcher,
    AckBatcher acks,
    QueueOrder queueOrder,
    WorkerHealth health,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<WorkerService> logger) : IHostedLifecycleService, IDisposable
{
    /// <summary>
    /// The longest wait between two receives while the broker fails: readiness follows the broker within it once it is
    /// back (the operator's readiness probe runs every 5 s), at the cost of one failing call per worker every 2 s.
    /// </summary>
    internal static readonly TimeSpan BrokerRetryMax = TimeSpan.FromSeconds(2);

    private readonly WorkerOptions _options = options.Value;
    private readonly SemaphoreSlim _slots = new(options.Value.Concurrency, options.Value.Concurrency);
    private readonly ConcurrentDictionary<BrokerMessage, byte> _inFlight = new(ReferenceEqualityComparer.Instance);
    private readonly CancellationTokenSource _stopFetching = new();
    private readonly CancellationTokenSource _abort = new();
    private TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;
    private Task _heartbeat = Task.CompletedTask;
    private readonly Lock _stopLock = new();
    private Task? _stopping;

    public int InFlightCount => _inFlight.Count;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogStarting(string.Join(", ", queueOrder.Queues), _options.Concurrency);
        health.Started();
        _loop = Task.Run(FetchLoopAsync, CancellationToken.None);
        _heartbeat = Task.Run(HeartbeatLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task FetchLoopAsync()
    {
        var stop = _stopFetching.Token;
        var failures = 0;
        var lastWasFull = false;
        var lowWater = Math.Max(1, Math.Min(_options.MaxFetchBatch, _options.Concurrency) / 4);
        var slotWait = _options.ReceiveWait > TimeSpan.FromMilliseconds(10) ? _options.ReceiveWait : TimeSpan.FromMilliseconds(10);
        while (!stop.IsCancellationRequested)
        {
            health.LoopTurned();
            try
            {
                // All slots busy is not a stall: keep reporting the loop alive while waiting for one.
                while (!await _slots.WaitAsync(slotWait, stop).ConfigureAwait(false))
                    health.LoopTurned();
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var free = 1;
            while (free < _options.MaxFetchBatch && _slots.Wait(0)) free++;
            if (lastWasFull && free < lowWater)
            {
                // The queues are busy and slots free up one by one: let the other completions in flight land
                // first, so that one receive fills several slots instead of one receive per finished task.
                await Task.Yield();
                while (free < _options.MaxFetchBatch && _slots.Wait(0)) free++;
            }

            IReadOnlyList<BrokerMessage> messages;
            try
            {
                messages = await broker.ReceiveAsync(queueOrder.Next(), free, _options.LeaseDuration, _options.ReceiveWait, stop).ConfigureAwait(false);
                health.BrokerOk();
                failures = 0;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                _slots.Release(free);
                break;
            }
            catch (Exception ex)
            {
                _slots.Release(free);
                health.BrokerFailed(ex.Message);
                var backoff = Backoff.Exponential(failures++, TimeSpan.FromMilliseconds(100), BrokerRetryMax);
                LogReceiveFailed(ex, backoff.TotalSeconds);
                try { await Task.Delay(backoff, time, stop).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
                continue;
            }

            lastWasFull = messages.Count == free;
            if (messages.Count < free) _slots.Release(free - messages.Count);
            for (var i = 0; i < messages.Count; i++)
            {
                var message = messages[i];
                _inFlight[message] = 0;
                if (i < messages.Count - 1)
                    ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Worker.RunOneAsync(state.Message), (Worker: this, Message: message), preferLocal: false);
                else
                    await new RunHereFetchElsewhere(this, message);
            }
        }
    }

    /// <summary>
    /// Awaiting it moves the rest of the fetch loop to another pool thread and starts the message on this one. The
    /// thread that the broker's reply woke runs the task at once; waking a second thread for it would add a hand-off,
    /// and on a busy or virtualised machine a hand-off is where most of the latency tail comes from.
    /// </summary>
    private readonly struct RunHereFetchElsewhere(WorkerService worker, BrokerMessage message) : ICriticalNotifyCompletion
    {
        public RunHereFetchElsewhere GetAwaiter() => this;

        public bool IsCompleted => false;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        public void UnsafeOnCompleted(Action continuation)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static next => next(), continuation, preferLocal: false);
            _ = worker.RunOneAsync(message);
        }
    }

    private async Task RunOneAsync(BrokerMessage message)
    {
        try
        {
            await dispatcher.DispatchAsync(message, _abort.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogDispatchError(ex);
        }
        finally
        {
            _inFlight.TryRemove(message, out _);
            ReleaseSlot();
            if (_stopFetching.IsCancellationRequested && _inFlight.IsEmpty) _drained.TrySetResult();
        }
    }

    /// <summary>A task that ignored cancellation may finish after the worker was disposed; its slot no longer matters then.</summary>
    private void ReleaseSlot()
    {
        try
        {
            _slots.Release();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task HeartbeatLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.EffectiveHeartbeat, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_abort.Token).ConfigureAwait(false))
            {
                var leased = _inFlight.Keys.ToList();
                if (leased.Count == 0) continue;
                try
                {
                    await broker.ExtendLeaseAsync(leased, _options.LeaseDuration, _abort.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogHeartbeatFailed(ex, leased.Count);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    Task IHostedLifecycleService.StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedLifecycleService.StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Drains before the other hosted services (the web server among them) stop.</summary>
    public Task StoppingAsync(CancellationToken cancellationToken) => StopAsync(cancellationToken);

    Task IHostedLifecycleService.StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops fetching and drains; called again (the host calls both StoppingAsync and StopAsync), it waits for the same drain.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopLock) return _stopping ??= DrainAsync(cancellationToken);
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        health.Draining();
        await _stopFetching.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        if (_inFlight.IsEmpty) _drained.TrySetResult();
        LogDraining(_inFlight.Count, _options.ShutdownGrace.TotalSeconds);

        var drained = _drained.Task;
        if (await Task.WhenAny(drained, Task.Delay(_options.ShutdownGrace, time, cancellationToken)).ConfigureAwait(false) != drained)
        {
            // Grace is over: cancel what still runs; tasks that honour it release their message themselves.
            await _abort.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(2), time, CancellationToken.None)).ConfigureAwait(false);
            var stuck = _inFlight.Keys.ToList();
            foreach (var message in stuck)
            {
                try { await broker.ReleaseAsync(message, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false); }
                catch (Exception ex) { LogReleaseFailed(ex, message.Queue); }
            }
            if (stuck.Count > 0) LogReleasedStuck(stuck.Count);
        }
        await _abort.CancelAsync().ConfigureAwait(false);
        await _heartbeat.ConfigureAwait(false);
        await acks.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        LogStopped();
    }

    public void Dispose()
    {
        _slots.Dispose();
        _stopFetching.Dispose();
        _abort.Dispose();
    }

    [LoggerMessage(LogLevel.Information, "Worker serving queues [{Queues}] with concurrency {Concurrency}")]
    private partial void LogStarting(string queues, int concurrency);

    [LoggerMessage(LogLevel.Warning, "Receiving from the broker failed; retrying in {Seconds}s")]
    private partial void LogReceiveFailed(Exception exception, double seconds);

    [LoggerMessage(LogLevel.Error, "Dispatching a message failed")]
    private partial void LogDispatchError(Exception exception);

    [LoggerMessage(LogLevel.Warning, "Extending the leases of {Count} running tasks failed")]
    private partial void LogHeartbeatFailed(Exception exception, int count);

    [LoggerMessage(LogLevel.Information, "Stopped fetching; waiting up to {Grace}s for {Count} running tasks")]
    private partial void LogDraining(int count, double grace);

    [LoggerMessage(LogLevel.Warning, "Releasing a message of queue {Queue} failed; it returns when its lease expires")]
    private partial void LogReleaseFailed(Exception exception, string queue);

    [LoggerMessage(LogLevel.Warning, "Returned {Count} messages of tasks that did not finish within the shutdown grace")]
    private partial void LogReleasedStuck(int count);

    [LoggerMessage(LogLevel.Information, "Worker stopped")]
    private partial void LogStopped();
}
