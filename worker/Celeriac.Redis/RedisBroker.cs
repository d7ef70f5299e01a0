using Celeriac.Brokers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Celeriac.Redis;

/// <summary>
/// The Redis broker: one stream per queue read through one consumer group, leases kept in a sorted set
/// (so a receipt of any lease length expires on time, and a lease is extended only by its holder), delayed
/// messages in a sorted set moved to the stream by the receive script when due, and one dead-letter stream.
/// Every state change is one Lua script (<see cref="RedisScripts"/>), atomic across workers; plain reads and the
/// deletion of dead letters are typed commands. A countdown
/// waits in the delayed set, not in a lease, so it never runs twice however long it is (Celery's
/// visibility-timeout trap). A waiting receive wakes in a blocking read the moment a message arrives
/// (<see cref="RedisBlockingReceive"/>), or else on a pub/sub notice of a send; in either case also on the next
/// due time, and after <see cref="RedisBrokerOptions.MaxPollInterval"/> at the latest.
/// </summary>
public sealed partial class RedisBroker : IBroker, IBrokerAdmin, IDisposable
{
    private const int SendChunk = 500;
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DeadConsumerIdle = TimeSpan.FromHours(1);
    private static readonly TimeSpan OrphanScanEvery = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan OrphanIdle = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan FaultLogEvery = TimeSpan.FromMinutes(1);
    private readonly RedisConnection _connection;
    private readonly ILogger _logger;
    private readonly bool _ownsConnection;
    private readonly RedisKeys _keys;
    private readonly string _consumer = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
    private readonly Lock _subscribeLock = new();
    private bool _subscribed;
    private readonly Action<RedisChannel, RedisValue> _onReady;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _served = new(StringComparer.Ordinal);
    private long _nextSweep = Environment.TickCount64 + (long)SweepEvery.TotalMilliseconds;
    private long _nextOrphanScan = Environment.TickCount64 + (long)OrphanScanEvery.TotalMilliseconds;
    private readonly RedisBlockingReceive? _blocking;
    // Per queue, the highest stream id this consumer was given: entries of its pending list after it that hold no
    // lease were claimed by a blocking read and not adopted yet.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, StreamId> _highest = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = NewSignal();
    // When each fault of the receive script (a queue skipped) was last logged: it repeats on every receive until fixed.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _faultsLogged = new(StringComparer.Ordinal);

    public RedisBroker(RedisConnection connection, ILogger<RedisBroker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _onReady = (_, _) => Signal();
        _keys = new RedisKeys(connection.Options.KeyPrefix);
        if (connection.Options.BlockingReceive)
            _blocking = new RedisBlockingReceive(connection, _consumer, _logger);
    }

    /// <summary>A broker with its own connection, disposed with it.</summary>
    public RedisBroker(RedisBrokerOptions options)
        : this(new RedisConnection(options))
    {
        _ownsConnection = true;
    }

    private IDatabase Db => _connection.Database;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        if (messages.Count == 0) return;
        foreach (var message in messages) ArgumentException.ThrowIfNullOrEmpty(message.Queue, nameof(messages));

        // One script call per queue and chunk, all sent at once: the multiplexer pipelines them.
        var calls = new List<Task>();
        foreach (var group in messages.GroupBy(m => m.Queue, StringComparer.Ordinal))
        {
            foreach (var chunk in group.Chunk(SendChunk))
            {
                var args = new RedisValue[3 + chunk.Length * 2];
                args[0] = RedisKeys.Group;
                args[1] = group.Key;
                args[2] = _keys.Channel;
                for (var i = 0; i < chunk.Length; i++)
                {
                    args[3 + i * 2] = chunk[i].NotBefore?.ToUnixTimeMilliseconds() ?? 0;
                    args[4 + i * 2] = chunk[i].Body.ToArray();
                }
                calls.Add(Db.ScriptEvaluateAsync(RedisScripts.Send,
                    [_keys.Stream(group.Key), _keys.Delayed(group.Key), _keys.Bodies(group.Key), _keys.Seq(group.Key), _keys.Queues], args));
            }
        }
        await Task.WhenAll(calls).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        ReceiveArguments.Check(queues, maxMessages, lease, cancellationToken);
        if (queues.Count == 0) return [];

        var keys = new RedisKey[queues.Count * 4 + 1];
        for (var i = 0; i < queues.Count; i++)
        {
            keys[i * 4] = _keys.Stream(queues[i]);
            keys[i * 4 + 1] = _keys.Delayed(queues[i]);
            keys[i * 4 + 2] = _keys.Bodies(queues[i]);
            keys[i * 4 + 3] = _keys.Leases(queues[i]);
        }
        keys[^1] = _keys.Dead;
        var leaseMs = (long)Math.Ceiling(lease.TotalMilliseconds);
        var args = ReceiveArgs(queues, maxMessages, leaseMs, _blocking is null ? "" : "wait");
        foreach (var queue in queues) _served.TryAdd(queue, 0);
        if (Due(ref _nextSweep, SweepEvery)) _ = SweepAsync(DeadConsumerIdle, null);
        if (Due(ref _nextOrphanScan, OrphanScanEvery)) _ = RecoverOrphansAsync(OrphanIdle);
        var started = Environment.TickCount64;
        var subscribed = false;
        while (true)
        {
            // Taken before looking, so a send after the look still wakes this wait.
            var changed = Volatile.Read(ref _changed).Task;
            var result = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisScripts.Receive, keys, args).ConfigureAwait(false))!;
            if (Parse(queues, result) is { Count: > 0 } received) return received;

            var remaining = wait.TotalMilliseconds - (Environment.TickCount64 - started);
            if (remaining <= 0) return [];
            var sleep = Math.Min(remaining, _connection.Options.MaxPollInterval.TotalMilliseconds);
            var nextDue = (long)result[0];
            if (nextDue >= 0) sleep = Math.Min(sleep, Math.Max(1, nextDue - (long)result[1]));
            if (_blocking is not null)
            {
                var adopt = ReceiveArgs(queues, maxMessages, leaseMs, "adopt");
                var woken = await _blocking.TryReceiveAsync(keys, [.. queues.Select(_keys.Stream)], adopt, TimeSpan.FromMilliseconds(sleep), cancellationToken).ConfigureAwait(false);
                if (woken is not null)
                {
                    if (Parse(queues, woken) is { Count: > 0 } adopted) return adopted;
                    continue;
                }
            }
            if (!subscribed)
            {
                await SubscribeAsync().ConfigureAwait(false);
                subscribed = true;
                continue;
            }
            await Task.WhenAny(changed, Task.Delay(TimeSpan.FromMilliseconds(sleep), cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static bool Due(ref long next, TimeSpan every)
    {
        var now = Environment.TickCount64;
        var due = Interlocked.Read(ref next);
        return now >= due && Interlocked.CompareExchange(ref next, now + (long)every.TotalMilliseconds, due) == due;
    }

    /// <summary>The receive script's arguments: group, consumer, max, lease, mode, then per queue its name and, adopting, the last id it was given.</summary>
    private RedisValue[] ReceiveArgs(IReadOnlyList<string> queues, int maxMessages, long leaseMs, string mode)
    {
        var args = new RedisValue[5 + queues.Count * 2];
        args[0] = RedisKeys.Group;
        args[1] = _consumer;
        args[2] = maxMessages;
        args[3] = leaseMs;
        args[4] = mode;
        for (var i = 0; i < queues.Count; i++)
        {
            args[5 + i * 2] = queues[i];
            args[6 + i * 2] = mode == "adopt" && _highest.TryGetValue(queues[i], out var id) ? id.ToString() : "-";
        }
        return args;
    }

    /// <summary>The messages of a receive script's reply (<see cref="RedisScripts.Receive"/>), after logging what it dead-lettered, removed or skipped.</summary>
    private List<BrokerMessage> Parse(IReadOnlyList<string> queues, RedisResult[] result)
    {
        foreach (var note in (RedisResult[])result[2]!) LogNote((string)note!);
        foreach (var fault in (RedisResult[])result[3]!) LogFault((string)fault!);
        var messages = new List<BrokerMessage>((result.Length - ReplyHead) / 5);
        for (var i = ReplyHead; i + 4 < result.Length; i += 5)
        {
            var queue = queues[(int)result[i]];
            var receipt = new RedisReceipt((string)result[i + 1]!, (long)result[i + 3]);
            if (_blocking is not null && StreamId.TryParse(receipt.Id, out var id))
                _highest.AddOrUpdate(queue, id, (_, seen) => id.CompareTo(seen) > 0 ? id : seen);
            messages.Add(new BrokerMessage
            {
                Queue = queue,
                Body = (byte[])result[i + 2]! ?? [],
                Receipt = receipt.ToString(),
                DeliveryCount = (int)result[i + 4],
                BrokerState = receipt,
            });
        }
        return messages;
    }

    /// <summary>Items before the messages in the receive script's reply: next due, now, notes, faults.</summary>
    internal const int ReplyHead = 4;

    private void LogFault(string fault)
    {
        var now = Environment.TickCount64;
        if (_faultsLogged.TryGetValue(fault, out var last) && now - last < FaultLogEvery.TotalMilliseconds) return;
        _faultsLogged[fault] = now;
        LogSkipped(fault);
    }

    private async Task SubscribeAsync()
    {
        lock (_subscribeLock)
        {
            if (_subscribed) return;
            _subscribed = true;
        }
        try
        {
            await _connection.Subscriber.SubscribeAsync(_keys.ReadyChannel, _onReady).ConfigureAwait(false);
        }
        catch
        {
            lock (_subscribeLock) _subscribed = false;
            throw;
        }
    }

    private void Signal() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    public async ValueTask AckAsync(IReadOnlyList<BrokerMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await PerQueueAsync(messages, RedisScripts.Ack, [RedisKeys.Group]).ConfigureAwait(false);
    }

    public async ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await PerQueueAsync(messages, RedisScripts.Extend, [RedisKeys.Group, _consumer, (long)Math.Ceiling(lease.TotalMilliseconds)]).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="script"/> once per queue with the receipts of that queue's messages.</summary>
    private async Task PerQueueAsync(IReadOnlyList<BrokerMessage> messages, string script, RedisValue[] head)
    {
        var calls = new List<Task>();
        foreach (var group in messages.Where(m => m.BrokerState is RedisReceipt).GroupBy(m => m.Queue, StringComparer.Ordinal))
        {
            var args = new List<RedisValue>(head);
            foreach (var message in group)
            {
                var receipt = (RedisReceipt)message.BrokerState!;
                args.Add(receipt.Id);
                args.Add(receipt.Delivery);
            }
            calls.Add(Db.ScriptEvaluateAsync(script, [_keys.Stream(group.Key), _keys.Leases(group.Key)], [.. args]));
        }
        await Task.WhenAll(calls).ConfigureAwait(false);
    }

    public async ValueTask ReleaseAsync(BrokerMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!RedisReceipt.TryGet(message, out var receipt)) return;
        var q = message.Queue;
        await Db.ScriptEvaluateAsync(RedisScripts.Release,
            [_keys.Stream(q), _keys.Delayed(q), _keys.Bodies(q), _keys.Leases(q), _keys.Seq(q)],
            [RedisKeys.Group, receipt.Id, receipt.Delivery, delay > TimeSpan.Zero ? (long)Math.Ceiling(delay.TotalMilliseconds) : 0, _keys.Channel, q]).ConfigureAwait(false);
    }

    public async ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reason);
        if (!RedisReceipt.TryGet(message, out var receipt)) return;
        var q = message.Queue;
        await Db.ScriptEvaluateAsync(RedisScripts.DeadLetter,
            [_keys.Stream(q), _keys.Leases(q), _keys.Dead],
            [RedisKeys.Group, receipt.Id, receipt.Delivery, reason, q]).ConfigureAwait(false);
    }

    public async ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        cancellationToken.ThrowIfCancellationRequested();
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisScripts.Depth,
            [_keys.Stream(queue), _keys.Delayed(queue), _keys.Leases(queue)], [RedisKeys.Group]).ConfigureAwait(false))!;
        return new QueueDepth((long)result[0], (long)result[1], (long)result[2]);
    }

    public async ValueTask<TimeSpan?> GetOldestReadyAgeAsync(string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        cancellationToken.ThrowIfCancellationRequested();
        var ms = (long)(await Db.ScriptEvaluateAsync(RedisScripts.OldestReady,
            [_keys.Stream(queue), _keys.Delayed(queue), _keys.Leases(queue)], [RedisKeys.Group]).ConfigureAwait(false));
        return ms < 0 ? null : TimeSpan.FromMilliseconds(ms);
    }

    public async ValueTask<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var names = await Db.SetMembersAsync(_keys.Queues).ConfigureAwait(false);
        return [.. names.Select(n => (string)n!).Order(StringComparer.Ordinal)];
    }

    public async ValueTask<long> PurgeAsync(string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        cancellationToken.ThrowIfCancellationRequested();
        return (long)await Db.ScriptEvaluateAsync(RedisScripts.Purge,
            [_keys.Stream(queue), _keys.Delayed(queue), _keys.Bodies(queue), _keys.Leases(queue), _keys.Queues], [RedisKeys.Group, queue]).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? queue, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var letters = new List<DeadLetter>();
        if (limit <= 0) return letters;
        const int Page = 500;
        RedisValue start = "-";
        while (letters.Count < limit)
        {
            var page = await Db.StreamRangeAsync(_keys.Dead, start, "+", Page).ConfigureAwait(false);
            foreach (var entry in page)
            {
                var id = (string)entry.Id!;
                start = "(" + id;
                var q = (string?)entry["q"] ?? "";
                if (queue is not null && !string.Equals(q, queue, StringComparison.Ordinal)) continue;
                var body = entry["b"];
                // P:dead is public too: a field written by someone else that is not a time reads as 0, not as an error.
                _ = long.TryParse((string?)entry["t"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var at);
                at = Math.Clamp(at, 0, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds());
                letters.Add(new DeadLetter(id, q, body.IsNull ? [] : (byte[])body!, (string?)entry["r"] ?? "", DateTimeOffset.FromUnixTimeMilliseconds(at)));
                if (letters.Count >= limit) break;
            }
            if (page.Length < Page) break;
        }
        return letters;
    }

    public async ValueTask<int> DeleteDeadLettersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        cancellationToken.ThrowIfCancellationRequested();
        var valid = ids.Where(id => StreamId.TryParse(id, out _)).Distinct(StringComparer.Ordinal).Select(id => (RedisValue)id).ToArray();
        if (valid.Length == 0) return 0;
        return (int)await Db.StreamDeleteAsync(_keys.Dead, valid).ConfigureAwait(false);
    }

    /// <summary>Removes idle consumers without pending entries from the groups of the queues this broker served; returns how many.</summary>
    internal async Task<long> SweepAsync(TimeSpan idle, string? alsoConsumer)
    {
        long removed = 0;
        foreach (var queue in _served.Keys)
        {
            try
            {
                removed += (long)await Db.ScriptEvaluateAsync(RedisScripts.Sweep, [_keys.Stream(queue)],
                    [RedisKeys.Group, (long)idle.TotalMilliseconds, alsoConsumer ?? ""]).ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // Housekeeping only: the next sweep tries again.
            }
        }
        return removed;
    }

    /// <summary>
    /// Gives an expired lease to the pending entries of the served queues that were claimed by a blocking read and never
    /// adopted (their worker died in between) once they were idle for <paramref name="idle"/>; returns how many.
    /// </summary>
    internal async Task<long> RecoverOrphansAsync(TimeSpan idle)
    {
        long recovered = 0;
        foreach (var queue in _served.Keys)
        {
            try
            {
                recovered += (long)await Db.ScriptEvaluateAsync(RedisScripts.Orphans, [_keys.Stream(queue), _keys.Leases(queue)],
                    [RedisKeys.Group, (long)idle.TotalMilliseconds]).ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // Housekeeping only: the next scan tries again.
            }
        }
        return recovered;
    }

    /// <summary>Messages delivered by blocking reads (for tests).</summary>
    internal long BlockingDeliveries => _blocking is null ? 0 : Interlocked.Read(ref _blocking.Delivered);

    /// <summary>This broker's consumer name in the groups (for tests and operators reading XINFO).</summary>
    internal string ConsumerName => _consumer;

    /// <summary>The consumer names in a queue's group (none when the queue has no stream yet).</summary>
    internal async Task<IReadOnlyList<string>> ConsumersAsync(string queue)
    {
        if (!await Db.KeyExistsAsync(_keys.Stream(queue)).ConfigureAwait(false)) return [];
        var consumers = await Db.StreamConsumerInfoAsync(_keys.Stream(queue), RedisKeys.Group).ConfigureAwait(false);
        return [.. consumers.Select(c => c.Name)];
    }

    public void Dispose()
    {
        // This worker's own consumer goes with it when it holds nothing (released or acked everything).
        if (_connection.IsConnected && !_served.IsEmpty)
        {
            try { SweepAsync(TimeSpan.MaxValue, _consumer).Wait(TimeSpan.FromSeconds(2)); }
            catch (AggregateException) { }
        }
        lock (_subscribeLock)
        {
            if (_subscribed)
            {
                try { _connection.Subscriber.Unsubscribe(_keys.ReadyChannel, _onReady); }
                catch (RedisException) { }
                _subscribed = false;
            }
        }
        _blocking?.Dispose();
        if (_ownsConnection) _connection.Dispose();
        Signal();
    }

    [LoggerMessage(LogLevel.Warning, "Redis receive: {Note}")]
    private partial void LogNote(string note);

    [LoggerMessage(LogLevel.Error, "Redis receive: {Fault}; the other queues are served (logged once a minute while it lasts)")]
    private partial void LogSkipped(string fault);
}
