namespace Celeriac.ServiceBus.Peer.Entities;

/// <summary>
/// A queue, or a queue's <c>$DeadLetterQueue</c> subqueue, following Service Bus's documented semantics
/// ("Message transfers, locks, and settlement", "Dead-letter queues", "Message expiration", "Duplicate detection",
/// "Scheduled messages", "Message deferral"):
/// <list type="bullet">
/// <item>Active messages go out in sequence-number order to receivers with link credit. Peek-lock takes a lock for the
/// LockDuration and counts a delivery; receive-and-delete removes the message as it is sent.</item>
/// <item>Complete removes; abandon unlocks at once; a lock that expires counts as an abandon. A message abandoned (or
/// whose lock expired) after MaxDeliveryCount deliveries moves to the dead-letter subqueue with DeadLetterReason
/// <c>MaxDeliveryCountExceeded</c>.</item>
/// <item>Dead-lettering keeps the message (sequence number, body, properties, delivery count) and adds
/// DeadLetterReason / DeadLetterErrorDescription to its application properties.</item>
/// <item>Scheduled messages are inactive (not receivable, counted as scheduled) until their time; then they are
/// enqueued, EnqueuedTime being the scheduled time.</item>
/// <item>TimeToLive (the message's, capped by the queue's DefaultMessageTimeToLive) counts from EnqueuedTime; an expired
/// message is never delivered; it is dropped, or dead-lettered (<c>TTLExpiredException</c>) when the queue says so;
/// a locked message does not expire while its lock lasts.</item>
/// <item>With duplicate detection, a MessageId seen within the history window is accepted and dropped.</item>
/// <item>Deferred messages are received only by sequence number.</item>
/// </list>
/// Everything happens under one lock per queue; the subqueue shares it with its parent.
/// </summary>
internal sealed class PeerQueue
{
    public const string DeadLetterSuffix = "/$DeadLetterQueue";
    private const string DeadLetterReasonProperty = "DeadLetterReason";
    private const string DeadLetterDescriptionProperty = "DeadLetterErrorDescription";

    private readonly Lock _gate;
    private readonly Dictionary<long, StoredMessage> _messages = [];
    private readonly SortedSet<long> _available = [];
    private readonly Dictionary<Guid, StoredMessage> _locks = [];
    private readonly PriorityQueue<(long Sequence, TimedEvent Kind, Guid Token), DateTimeOffset> _events = new();
    private readonly Dictionary<string, DateTimeOffset> _recentIds = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, DateTimeOffset Until)> _recentOrder = new();
    private readonly List<IQueueConsumer> _consumers = [];
    private readonly PeerQueue? _parent;
    private long _lastSequence;
    private int _nextConsumer;
    private int _holds;

    private enum TimedEvent { LockExpiry, Activation, Expiry }

    public PeerQueue(string name, PeerQueueSettings settings, DateTimeOffset createdAt)
    {
        settings.Validate();
        Name = name;
        Settings = settings;
        CreatedAt = createdAt;
        UpdatedAt = createdAt;
        _gate = new Lock();
        DeadLetters = new PeerQueue(this);
    }

    private PeerQueue(PeerQueue parent)
    {
        _parent = parent;
        _gate = parent._gate;
        Name = parent.Name + DeadLetterSuffix;
        Settings = parent.Settings;
        CreatedAt = parent.CreatedAt;
        UpdatedAt = parent.UpdatedAt;
    }

    public string Name { get; }
    public PeerQueueSettings Settings { get; }
    public DateTimeOffset CreatedAt { get; }
    public DateTimeOffset UpdatedAt { get; }
    public DateTimeOffset AccessedAt { get; private set; }
    /// <summary>The subqueue; null for the subqueue itself.</summary>
    public PeerQueue? DeadLetters { get; }
    public bool IsDeadLetterQueue => _parent is not null;

    public void Attach(IQueueConsumer consumer)
    {
        lock (_gate) _consumers.Add(consumer);
    }

    /// <summary>Detaching leaves the consumer's locks in place: they last until they expire or are settled.</summary>
    public void Detach(IQueueConsumer consumer)
    {
        lock (_gate) _consumers.Remove(consumer);
    }

    /// <summary>While held, nothing is delivered to receivers (they keep their credit); for tests of slow answers.</summary>
    public IDisposable HoldDeliveries(TimeProvider time)
    {
        lock (_gate) _holds++;
        return new Release(() =>
        {
            lock (_gate) _holds--;
            Pump(time.GetUtcNow());
        });
    }

    private sealed class Release(Action action) : IDisposable
    {
        private int _done;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) action();
        }
    }

    /// <summary>A message as it arrives from a sender, decoded enough for the broker.</summary>
    public sealed record Incoming(byte[] Encoded, string? MessageId, TimeSpan? TimeToLive, DateTimeOffset? ScheduledEnqueueTime);

    /// <summary>Enqueues (or schedules, when the message says so); returns the sequence number, or null when duplicate detection dropped it.</summary>
    public long? Enqueue(Incoming message, DateTimeOffset now)
    {
        lock (_gate)
        {
            Maintain(now);
            if (IsDuplicate(message.MessageId, now)) return null;
            var sequence = ++_lastSequence;
            var scheduled = message.ScheduledEnqueueTime is { } at && at > now;
            var stored = new StoredMessage
            {
                SequenceNumber = sequence,
                MessageId = message.MessageId,
                Encoded = message.Encoded,
                EnqueuedTime = scheduled ? message.ScheduledEnqueueTime!.Value : now,
                State = scheduled ? PeerMessageState.Scheduled : PeerMessageState.Active,
                ScheduledEnqueueTime = message.ScheduledEnqueueTime,
                TimeToLive = message.TimeToLive,
            };
            _messages[sequence] = stored;
            if (scheduled) _events.Enqueue((sequence, TimedEvent.Activation, default), stored.EnqueuedTime);
            else Activate(stored);
            Pump(now);
            return sequence;
        }
    }

    private bool IsDuplicate(string? messageId, DateTimeOffset now)
    {
        if (!Settings.RequiresDuplicateDetection || string.IsNullOrEmpty(messageId)) return false;
        while (_recentOrder.TryPeek(out var oldest) && oldest.Until <= now)
        {
            _recentOrder.Dequeue();
            if (_recentIds.TryGetValue(oldest.Id, out var until) && until <= now) _recentIds.Remove(oldest.Id);
        }
        if (_recentIds.ContainsKey(messageId)) return true;
        var window = now + Settings.DuplicateDetectionHistoryTimeWindow;
        _recentIds[messageId] = window;
        _recentOrder.Enqueue((messageId, window));
        return false;
    }

    private void Activate(StoredMessage message)
    {
        message.State = PeerMessageState.Active;
        var ttl = message.TimeToLive is { } own && own < Settings.DefaultMessageTimeToLive ? own : Settings.DefaultMessageTimeToLive;
        if (!IsDeadLetterQueue && ttl != TimeSpan.MaxValue && DateTimeOffset.MaxValue - message.EnqueuedTime > ttl)
        {
            message.ExpiresAt = message.EnqueuedTime + ttl;
            _events.Enqueue((message.SequenceNumber, TimedEvent.Expiry, default), message.ExpiresAt.Value);
        }
        _available.Add(message.SequenceNumber);
    }

    /// <summary>Cancels scheduled messages; sequence numbers that name no scheduled message are ignored.</summary>
    public int CancelScheduled(IEnumerable<long> sequenceNumbers, DateTimeOffset now)
    {
        lock (_gate)
        {
            Maintain(now);
            var cancelled = 0;
            foreach (var sequence in sequenceNumbers)
                if (_messages.TryGetValue(sequence, out var m) && m.State == PeerMessageState.Scheduled && _messages.Remove(sequence)) cancelled++;
            return cancelled;
        }
    }

    /// <summary>Hands available messages to receivers with credit, in turn.</summary>
    public void Pump(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_holds > 0) return;
            Maintain(now);
            while (_available.Count > 0 && _consumers.Count > 0)
            {
                var consumer = NextConsumerWithCredit();
                if (consumer is null) return;
                var message = _messages[_available.Min];
                _available.Remove(message.SequenceNumber);
                message.DeliveryCount++;
                AccessedAt = now;
                var token = consumer.PeekLock ? Lock(message, now) : Guid.NewGuid();
                if (!consumer.PeekLock) _messages.Remove(message.SequenceNumber);
                if (consumer.Deliver(message, token)) continue;
                if (consumer.PeekLock) Unlock(message);
                else _messages[message.SequenceNumber] = message;
                message.DeliveryCount--;
                _available.Add(message.SequenceNumber);
                _consumers.Remove(consumer);
            }
        }
    }

    private IQueueConsumer? NextConsumerWithCredit()
    {
        for (var i = 0; i < _consumers.Count; i++)
        {
            var consumer = _consumers[(_nextConsumer + i) % _consumers.Count];
            if (consumer.Credit == 0) continue;
            _nextConsumer = (_nextConsumer + i + 1) % _consumers.Count;
            return consumer;
        }
        return null;
    }

    private Guid Lock(StoredMessage message, DateTimeOffset now)
    {
        var token = Guid.NewGuid();
        message.LockToken = token;
        message.LockedUntil = now + Settings.LockDuration;
        _locks[token] = message;
        _events.Enqueue((message.SequenceNumber, TimedEvent.LockExpiry, token), message.LockedUntil);
        return token;
    }

    private StoredMessage? Held(Guid lockToken, DateTimeOffset now)
    {
        Maintain(now);
        return _locks.TryGetValue(lockToken, out var message) && message.IsLocked(now) ? message : null;
    }

    private void Unlock(StoredMessage message)
    {
        if (message.LockToken is { } token) _locks.Remove(token);
        message.LockToken = null;
    }

    /// <summary>Complete: the message is gone. False when the lock is lost (expired, settled, or never held).</summary>
    public bool Complete(Guid lockToken, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (Held(lockToken, now) is not { } message) return false;
            Unlock(message);
            _messages.Remove(message.SequenceNumber);
            return true;
        }
    }

    /// <summary>Abandon: unlocked and available at once (dead-lettered past MaxDeliveryCount). <paramref name="countDelivery"/> false for AMQP's released, which does not count as a delivery attempt.</summary>
    public bool Abandon(Guid lockToken, IReadOnlyDictionary<string, object?>? propertiesToModify, DateTimeOffset now, bool countDelivery = true)
    {
        lock (_gate)
        {
            if (Held(lockToken, now) is not { } message) return false;
            Modify(message, propertiesToModify);
            if (!countDelivery) message.DeliveryCount--;
            Unlock(message);
            Return(message, now);
            Pump(now);
            return true;
        }
    }

    public bool DeadLetter(Guid lockToken, string? reason, string? description, IReadOnlyDictionary<string, object?>? propertiesToModify, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (Held(lockToken, now) is not { } message) return false;
            Modify(message, propertiesToModify);
            Unlock(message);
            MoveToDeadLetters(message, reason, description, now);
            return true;
        }
    }

    public bool Defer(Guid lockToken, IReadOnlyDictionary<string, object?>? propertiesToModify, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (Held(lockToken, now) is not { } message) return false;
            Modify(message, propertiesToModify);
            Unlock(message);
            message.State = PeerMessageState.Deferred;
            return true;
        }
    }

    /// <summary>Renew-lock: the lock lasts another LockDuration from now; null when it is lost.</summary>
    public DateTimeOffset? RenewLock(Guid lockToken, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (Held(lockToken, now) is not { } message) return null;
            message.LockedUntil = now + Settings.LockDuration;
            _events.Enqueue((message.SequenceNumber, TimedEvent.LockExpiry, lockToken), message.LockedUntil);
            return message.LockedUntil;
        }
    }

    private static void Modify(StoredMessage message, IReadOnlyDictionary<string, object?>? propertiesToModify)
    {
        if (propertiesToModify is null) return;
        foreach (var (key, value) in propertiesToModify) message.PropertyChanges[key] = value;
    }

    /// <summary>After an abandon or an expired lock: back to the queue, or to the dead-letter subqueue past MaxDeliveryCount.</summary>
    private void Return(StoredMessage message, DateTimeOffset now)
    {
        if (!IsDeadLetterQueue && message.DeliveryCount >= Settings.MaxDeliveryCount)
        {
            MoveToDeadLetters(message, "MaxDeliveryCountExceeded", $"Message could not be consumed after {Settings.MaxDeliveryCount.ToString(System.Globalization.CultureInfo.InvariantCulture)} delivery attempts.", now);
            return;
        }
        if (message.ExpiresAt is { } expires && expires <= now)
        {
            Expire(message, now);
            return;
        }
        _available.Add(message.SequenceNumber);
    }

    private void MoveToDeadLetters(StoredMessage message, string? reason, string? description, DateTimeOffset now)
    {
        _messages.Remove(message.SequenceNumber);
        _available.Remove(message.SequenceNumber);
        if (DeadLetters is null) return;
        if (reason is not null) message.PropertyChanges[DeadLetterReasonProperty] = reason;
        if (description is not null) message.PropertyChanges[DeadLetterDescriptionProperty] = description;
        message.ExpiresAt = null;
        message.State = PeerMessageState.Active;
        DeadLetters._messages[message.SequenceNumber] = message;
        DeadLetters._available.Add(message.SequenceNumber);
        DeadLetters.Pump(now);
    }

    private void Expire(StoredMessage message, DateTimeOffset now)
    {
        if (Settings.DeadLetteringOnMessageExpiration) MoveToDeadLetters(message, "TTLExpiredException", "The message expired and was dead lettered.", now);
        else
        {
            _messages.Remove(message.SequenceNumber);
            _available.Remove(message.SequenceNumber);
        }
    }

    /// <summary>Applies what time did: expired locks, scheduled messages due, expired messages.</summary>
    private void Maintain(DateTimeOffset now)
    {
        while (_events.TryPeek(out var item, out var at) && at <= now)
        {
            _events.Dequeue();
            if (!_messages.TryGetValue(item.Sequence, out var message)) continue;
            switch (item.Kind)
            {
                case TimedEvent.LockExpiry when message.LockToken == item.Token && message.LockedUntil <= now:
                    Unlock(message);
                    Return(message, now);
                    break;
                case TimedEvent.Activation when message.State == PeerMessageState.Scheduled:
                    Activate(message);
                    break;
                case TimedEvent.Expiry when message.LockToken is null && message.State != PeerMessageState.Scheduled:
                    Expire(message, now);
                    break;
            }
        }
        DeadLetters?.Maintain(now);
    }

    /// <summary>When the next timed event is due (lock expiry, scheduled message, expiry), for the peer's clock loop.</summary>
    public DateTimeOffset? NextEvent()
    {
        lock (_gate)
        {
            DateTimeOffset? next = _events.TryPeek(out _, out var at) ? at : null;
            if (DeadLetters?.NextEvent() is { } sub && (next is null || sub < next)) next = sub;
            return next;
        }
    }

    /// <summary>Browses from a sequence number on, every state included, without locking or counting a delivery.</summary>
    public IReadOnlyList<T> Peek<T>(long fromSequenceNumber, int count, DateTimeOffset now, Func<StoredMessage, T> project)
    {
        lock (_gate)
        {
            Maintain(now);
            return [.. _messages.Values.Where(m => m.SequenceNumber >= fromSequenceNumber).OrderBy(m => m.SequenceNumber).Take(count).Select(project)];
        }
    }

    /// <summary>Receive-by-sequence-number: locks deferred messages (peek-lock) or removes them; unknown or non-deferred ones are left out.</summary>
    public IReadOnlyList<T> ReceiveDeferred<T>(IEnumerable<long> sequenceNumbers, bool peekLock, DateTimeOffset now, Func<StoredMessage, Guid, T> project)
    {
        lock (_gate)
        {
            Maintain(now);
            var result = new List<T>();
            foreach (var sequence in sequenceNumbers)
            {
                if (!_messages.TryGetValue(sequence, out var message) || message.State != PeerMessageState.Deferred || message.IsLocked(now)) continue;
                message.DeliveryCount++;
                if (peekLock) result.Add(project(message, Lock(message, now)));
                else
                {
                    _messages.Remove(sequence);
                    result.Add(project(message, Guid.NewGuid()));
                }
            }
            return result;
        }
    }

    /// <summary>Batch delete (what purge sends): up to <paramref name="count"/> unlocked messages enqueued before the given time, oldest first.</summary>
    public int DeleteBatch(int count, DateTimeOffset enqueuedBefore, DateTimeOffset now)
    {
        lock (_gate)
        {
            Maintain(now);
            var doomed = _messages.Values.Where(m => m.EnqueuedTime < enqueuedBefore && !m.IsLocked(now)).OrderBy(m => m.SequenceNumber).Take(count).ToList();
            foreach (var message in doomed)
            {
                _messages.Remove(message.SequenceNumber);
                _available.Remove(message.SequenceNumber);
            }
            return doomed.Count;
        }
    }

    public PeerQueueCounts Counts(DateTimeOffset now)
    {
        lock (_gate)
        {
            Maintain(now);
            long active = 0, scheduled = 0, deferred = 0, locked = 0;
            foreach (var m in _messages.Values)
            {
                switch (m.State)
                {
                    case PeerMessageState.Scheduled: scheduled++; break;
                    case PeerMessageState.Deferred: deferred++; break;
                    default: active++; break;
                }
                if (m.IsLocked(now)) locked++;
            }
            var deadLetters = DeadLetters is null ? 0 : DeadLetters._messages.Count;
            return new PeerQueueCounts(active, scheduled, deferred, locked, deadLetters);
        }
    }

    /// <summary>Every message, in sequence-number order, for inspection.</summary>
    public IReadOnlyList<T> Snapshot<T>(DateTimeOffset now, Func<StoredMessage, DateTimeOffset, T> project)
    {
        lock (_gate)
        {
            Maintain(now);
            return [.. _messages.Values.OrderBy(m => m.SequenceNumber).Select(m => project(m, now))];
        }
    }

    public long SizeInBytes()
    {
        lock (_gate) return _messages.Values.Sum(m => (long)m.Encoded.Length);
    }
}
