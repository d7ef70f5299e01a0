using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Celeriac.ServiceBus;

/// <summary>
/// The locks this process holds, one per delivery a worker runs. A lock lasts the queue's LockDuration; while the
/// worker's lease (extended by its heartbeat) outlasts it, the loop renews it once a third of it has passed, so a loaded
/// machine has two thirds of the lock to get the renewal through. A delivery is forgotten when it is settled, when the
/// service says its lock is gone, or when its lock ran out with no lease wanting it.
/// </summary>
/// <remarks>
/// A hosted service that starts with the host. Its loop ends when the container disposes it, not in
/// <see cref="StopAsync"/>: the worker drains running tasks in its own StopAsync, and their locks must be renewed
/// until the last one is settled, whatever order the hosted services stop in.
/// </remarks>
internal sealed partial class ServiceBusLocks : IHostedService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ServiceBusReceipt> _held = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _shortLockWarned = new(StringComparer.Ordinal);
    private readonly TimeSpan _lockDuration;
    private readonly long _lockTicks;
    private readonly TimeSpan _tick;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task? _loop;
    private int _disposed;

    public ServiceBusLocks(ServiceBusBrokerOptions options, TimeProvider? timeProvider = null, ILogger<ServiceBusLocks>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<ServiceBusLocks>.Instance;
        _lockDuration = options.LockDuration;
        _lockTicks = (long)(options.LockDuration.TotalSeconds * _time.TimestampFrequency);
        _tick = TimeSpan.FromTicks(Math.Clamp(options.LockDuration.Ticks / 8, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(5).Ticks));
    }

    public long Now => _time.GetTimestamp();

    public long After(TimeSpan span) => Now + (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary>
    /// When a lock taken (or renewed) no earlier than <paramref name="from"/> runs out: LockDuration later, or sooner when
    /// the service's LockedUntil (read against this machine's clock) says so, as for a queue whose LockDuration is shorter
    /// than the setting (a warning, once per queue). A service time that is already past is a clock apart and ignored.
    /// </summary>
    public long LockEnd(long from, DateTimeOffset serviceLockedUntil, string queue)
    {
        var end = from + _lockTicks;
        var remaining = serviceLockedUntil - _time.GetUtcNow();
        var slack = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, _lockDuration.Ticks / 4));
        if (remaining >= _lockDuration - slack) return end;
        if (_shortLockWarned.TryAdd(queue, 0)) LogShortLock(queue, remaining.TotalSeconds, _lockDuration);
        return remaining > TimeSpan.Zero ? Math.Min(end, After(remaining)) : end;
    }

    public void Hold(ServiceBusReceipt receipt) => _held[receipt.LockToken] = receipt;

    public bool TryGet(string lockToken, out ServiceBusReceipt receipt) => _held.TryGetValue(lockToken, out receipt!);

    public void Forget(ServiceBusReceipt receipt) => _held.TryRemove(new KeyValuePair<string, ServiceBusReceipt>(receipt.LockToken, receipt));

    /// <summary>Deliveries of <paramref name="queue"/> held now: their lock has not run out, or their lease still wants them (a renewal is due).</summary>
    public List<ServiceBusReceipt> HeldIn(string queue)
    {
        var now = Now;
        return [.. _held.Values.Where(r => r.Queue == queue && (Volatile.Read(ref r.LockedUntil) > now || NeedsRenewal(r, now)))];
    }

    /// <summary>Extends the leases of deliveries still held; locks that need it are renewed at once.</summary>
    public async Task ExtendAsync(IEnumerable<string> lockTokens, TimeSpan lease, CancellationToken cancellationToken)
    {
        var until = After(lease);
        var now = Now;
        var due = new List<ServiceBusReceipt>();
        foreach (var token in lockTokens)
        {
            if (!_held.TryGetValue(token, out var receipt)) continue;
            long current;
            while ((current = Volatile.Read(ref receipt.LeaseUntil)) < until && Interlocked.CompareExchange(ref receipt.LeaseUntil, until, current) != current) { }
            if (NeedsRenewal(receipt, now)) due.Add(receipt);
        }
        if (due.Count > 0) await Task.WhenAll(due.Select(r => RenewAsync(r, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>The lease outlasts the lock, and a third of the lock has passed.</summary>
    private bool NeedsRenewal(ServiceBusReceipt receipt, long now)
    {
        var lockedUntil = Volatile.Read(ref receipt.LockedUntil);
        return Volatile.Read(ref receipt.LeaseUntil) > lockedUntil && lockedUntil - now < _lockTicks * 2 / 3;
    }

    /// <summary>Renews one lock; false (and forgotten) when the lock was no longer held.</summary>
    public async Task<bool> RenewAsync(ServiceBusReceipt receipt, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref receipt.Renewing, 1) == 1) return true;
        try
        {
            var from = Now;
            await receipt.Receiver.RenewMessageLockAsync(receipt.Message, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref receipt.LockedUntil, LockEnd(from, receipt.Message.LockedUntil, receipt.Queue));
            return true;
        }
        catch (ServiceBusException ex) when (ex.Reason == ServiceBusFailureReason.MessageLockLost)
        {
            Forget(receipt);
            LogLost(receipt.Queue);
            return false;
        }
        catch (ObjectDisposedException)
        {
            // The broker closed its receivers (the host is going away): nothing can renew this lock any more.
            Forget(receipt);
            return false;
        }
        finally
        {
            Volatile.Write(ref receipt.Renewing, 0);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate) _loop ??= Task.Run(RenewLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Renews what is due; forgets deliveries whose lock ran out with no lease wanting them.</summary>
    private async Task RenewLoopAsync()
    {
        using var timer = new PeriodicTimer(_tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var now = Now;
                var due = new List<ServiceBusReceipt>();
                foreach (var receipt in _held.Values)
                {
                    if (NeedsRenewal(receipt, now)) due.Add(receipt);
                    else if (Volatile.Read(ref receipt.LockedUntil) <= now) Forget(receipt);
                }
                if (due.Count == 0) continue;
                try
                {
                    await Task.WhenAll(due.Select(r => RenewAsync(r, _stop.Token))).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The loop must outlive a failed round: the locks still due are tried again on the next tick.
                    LogRenewFailed(ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_gate) loop = _loop;
        if (loop is not null) await loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(LogLevel.Debug, "A lock on queue {Queue} was no longer held (it expired, or the message was settled); forgotten")]
    private partial void LogLost(string queue);

    [LoggerMessage(LogLevel.Warning, "A lock on a message of queue {Queue} had {Seconds:0.0}s left when it arrived, less than the {LockDuration} of " + ServiceBusBrokerOptions.Section + ":LockDuration; "
        + "if the queue's LockDuration is shorter, set the option to it (a clock apart from the service's, or a slow receive, can also explain it). Locks are renewed by what the service says")]
    private partial void LogShortLock(string queue, double seconds, TimeSpan lockDuration);

    [LoggerMessage(LogLevel.Warning, "Renewing locks failed: {Message}; tried again on the next tick")]
    private partial void LogRenewFailed(string message);
}
