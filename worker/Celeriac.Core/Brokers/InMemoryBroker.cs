namespace Celeriac.Brokers;

/// <summary>
/// A broker inside one process: for tests and benchmarks. Not durable. Follows the same lease
/// semantics as the durable brokers (expired leases make messages visible again).
/// </summary>
public sealed class InMemoryBroker(TimeProvider? timeProvider = null) : IBroker, IBrokerAdmin
{
    private sealed class Entry(long id, string queue, ReadOnlyMemory<byte> body)
    {
        public long Id { get; } = id;
        public string Queue { get; } = queue;
        public ReadOnlyMemory<byte> Body { get; } = body;
        public long LeaseToken;
        public long LeaseUntil;
        public int Deliveries;
        /// <summary>When the entry last entered the ready queue (ms).</summary>
        public long ReadySince;
    }

    private sealed class QueueState
    {
        public readonly Queue<Entry> Ready = new();
        public readonly PriorityQueue<Entry, long> Delayed = new();
        public readonly Dictionary<long, Entry> Leased = [];
        /// <summary>Earliest lease expiry among <see cref="Leased"/> (a lower bound: acks do not raise it).</summary>
        public long NextLeaseExpiry = long.MaxValue;
    }

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, QueueState> _queues = new(StringComparer.Ordinal);
    private readonly List<DeadLetter> _deadLetters = [];
    private TaskCompletionSource? _drained;
    private long _nextId;
    private long _nextToken;
    private TaskCompletionSource _signal = NewSignal();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private QueueState State(string queue)
    {
        if (!_queues.TryGetValue(queue, out var state))
            _queues[queue] = state = new QueueState();
        return state;
    }

    public ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        TaskCompletionSource signal;
        lock (_lock)
        {
            var now = Now;
            foreach (var message in messages)
            {
                var entry = new Entry(++_nextId, message.Queue, message.Body);
                var due = message.NotBefore?.ToUnixTimeMilliseconds() ?? 0;
                if (due > now) State(message.Queue).Delayed.Enqueue(entry, due);
                else Ready(State(message.Queue), entry, now);
            }
            signal = _signal;
            _signal = NewSignal();
        }
        signal.TrySetResult();
        return ValueTask.CompletedTask;
    }

    public async ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = Now + (long)wait.TotalMilliseconds;
        while (true)
        {
            Task signal;
            long nextDue;
            lock (_lock)
            {
                var result = TakeReady(queues, maxMessages, lease, out nextDue);
                if (result.Count > 0) return result;
                signal = _signal.Task;
            }
            var remaining = deadline - Now;
            if (remaining <= 0) return [];
            var sleep = Math.Min(remaining, nextDue == long.MaxValue ? remaining : Math.Max(1, nextDue - Now));
            try
            {
                await signal.WaitAsync(TimeSpan.FromMilliseconds(sleep), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    private List<BrokerMessage> TakeReady(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, out long nextDue)
    {
        var now = Now;
        nextDue = long.MaxValue;
        var result = new List<BrokerMessage>(Math.Min(maxMessages, 64));
        foreach (var queue in queues)
        {
            if (!_queues.TryGetValue(queue, out var state)) continue;
            Promote(state, now);
            while (result.Count < maxMessages && state.Ready.TryDequeue(out var entry))
            {
                entry.LeaseToken = ++_nextToken;
                entry.LeaseUntil = now + (long)lease.TotalMilliseconds;
                entry.Deliveries++;
                state.Leased[entry.Id] = entry;
                state.NextLeaseExpiry = Math.Min(state.NextLeaseExpiry, entry.LeaseUntil);
                result.Add(new BrokerMessage
                {
                    Queue = queue,
                    Body = entry.Body,
                    Receipt = entry.LeaseToken.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    DeliveryCount = entry.Deliveries,
                    BrokerState = (entry, entry.LeaseToken),
                });
            }
            if (state.Delayed.TryPeek(out _, out var due)) nextDue = Math.Min(nextDue, due);
            if (state.Leased.Count > 0) nextDue = Math.Min(nextDue, state.NextLeaseExpiry);
            if (result.Count >= maxMessages) break;
        }
        return result;
    }

    /// <summary>Moves due delayed messages and expired leases back to ready.</summary>
    private static void Promote(QueueState state, long now)
    {
        while (state.Delayed.TryPeek(out var entry, out var due) && due <= now)
        {
            state.Delayed.Dequeue();
            Ready(state, entry, due);
        }
        if (state.NextLeaseExpiry > now) return;
        // Leased messages are at most the receivers' free slots, so a scan is cheap and needs no index to keep up.
        var next = long.MaxValue;
        List<Entry>? expired = null;
        foreach (var entry in state.Leased.Values)
        {
            if (entry.LeaseUntil <= now) (expired ??= []).Add(entry);
            else next = Math.Min(next, entry.LeaseUntil);
        }
        state.NextLeaseExpiry = next;
        if (expired is null) return;
        foreach (var entry in expired)
        {
            state.Leased.Remove(entry.Id);
            entry.LeaseToken = 0;
            Ready(state, entry, entry.LeaseUntil);
        }
    }

    private static void Ready(QueueState state, Entry entry, long since)
    {
        entry.ReadySince = since;
        state.Ready.Enqueue(entry);
    }

    /// <summary>Removes the leased entry if this delivery still holds the lease.</summary>
    private bool TryTakeLeased(BrokerMessage message, out Entry entry)
    {
        var (e, token) = ((Entry, long))message.BrokerState!;
        entry = e;
        if (!_queues.TryGetValue(e.Queue, out var state) || !state.Leased.TryGetValue(e.Id, out var current) || current.LeaseToken != token)
            return false;
        state.Leased.Remove(e.Id);
        e.LeaseToken = 0;
        return true;
    }

    public ValueTask AckAsync(IReadOnlyList<BrokerMessage> messages, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var message in messages) TryTakeLeased(message, out _);
            SignalIfDrained();
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(BrokerMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        TaskCompletionSource? signal = null;
        lock (_lock)
        {
            if (TryTakeLeased(message, out var entry))
            {
                var state = State(entry.Queue);
                if (delay > TimeSpan.Zero) state.Delayed.Enqueue(entry, Now + (long)delay.TotalMilliseconds);
                else
                {
                    Ready(state, entry, Now);
                    signal = _signal;
                    _signal = NewSignal();
                }
            }
        }
        signal?.TrySetResult();
        return ValueTask.CompletedTask;
    }

    public ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var until = Now + (long)lease.TotalMilliseconds;
            foreach (var message in messages)
            {
                var (entry, token) = ((Entry, long))message.BrokerState!;
                if (entry.LeaseToken != token) continue;
                entry.LeaseUntil = until;
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (TryTakeLeased(message, out var entry))
                _deadLetters.Add(new DeadLetter(entry.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), entry.Queue, entry.Body, reason, _time.GetUtcNow()));
            SignalIfDrained();
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_queues.TryGetValue(queue, out var state)) return ValueTask.FromResult(default(QueueDepth));
            Promote(state, Now);
            return ValueTask.FromResult(new QueueDepth(state.Ready.Count, state.Leased.Count, state.Delayed.Count));
        }
    }

    /// <summary>The head of the ready queue (the next message received).</summary>
    public ValueTask<TimeSpan?> GetOldestReadyAgeAsync(string queue, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_queues.TryGetValue(queue, out var state)) return ValueTask.FromResult<TimeSpan?>(null);
            var now = Now;
            Promote(state, now);
            return ValueTask.FromResult(state.Ready.TryPeek(out var head) ? TimeSpan.FromMilliseconds(Math.Max(0, now - head.ReadySince)) : (TimeSpan?)null);
        }
    }

    public ValueTask<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken)
    {
        lock (_lock) return ValueTask.FromResult<IReadOnlyList<string>>([.. _queues.Keys.Order(StringComparer.Ordinal)]);
    }

    public ValueTask<long> PurgeAsync(string queue, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_queues.TryGetValue(queue, out var state)) return ValueTask.FromResult(0L);
            Promote(state, Now);
            long purged = state.Ready.Count + state.Delayed.Count;
            state.Ready.Clear();
            state.Delayed.Clear();
            if (state.Leased.Count == 0) _queues.Remove(queue);
            SignalIfDrained();
            return ValueTask.FromResult(purged);
        }
    }

    public ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? queue, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
            return ValueTask.FromResult<IReadOnlyList<DeadLetter>>([.. _deadLetters.Where(d => queue is null || d.Queue == queue).Take(limit)]);
    }

    public ValueTask<int> DeleteDeadLettersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var set = ids.ToHashSet(StringComparer.Ordinal);
            return ValueTask.FromResult(_deadLetters.RemoveAll(d => set.Contains(d.Id)));
        }
    }

    /// <summary>
    /// Completes once no queue holds a message: none ready, delayed or leased (so every message was acknowledged,
    /// dead-lettered or purged). Tests wait on it for "the worker has done all it was given" instead of sleeping.
    /// </summary>
    public Task DrainAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (IsEmpty()) return Task.CompletedTask;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task.WaitAsync(cancellationToken);
        }
    }

    private bool IsEmpty() => _queues.Values.All(q => q.Ready.Count == 0 && q.Leased.Count == 0 && q.Delayed.Count == 0);

    private void SignalIfDrained()
    {
        if (_drained is null || !IsEmpty()) return;
        _drained.TrySetResult();
        _drained = null;
    }
}
