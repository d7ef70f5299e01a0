namespace Celeriac.ServiceBus.Fake;

/// <summary>
/// A queue (or a queue's <c>$DeadLetterQueue</c> subqueue) as Service Bus documents it: peek-lock takes the oldest
/// active, unlocked message, counts a delivery and locks it for <see cref="LockDuration"/>; an expired lock makes the
/// message available again; a message whose DeliveryCount reached <see cref="MaxDeliveryCount"/> and is abandoned (or
/// whose lock expires) moves to the dead-letter subqueue with DeadLetterReason <c>MaxDeliveryCountExceeded</c>;
/// scheduled messages stay inactive until their ScheduledEnqueueTimeUtc; messages past their TimeToLive are dropped
/// (dead-lettering on expiry is off, the service's default); with duplicate detection a MessageId seen within the window
/// is accepted and dropped.
/// </summary>
internal sealed class FakeQueue
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, FakeMessage> _messages = [];
    private readonly Dictionary<string, DateTimeOffset> _recentIds = new(StringComparer.Ordinal);
    private readonly Func<long> _nextSequence;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeQueue(string name, FakeQueueSettings settings, Func<long> nextSequence, bool isDeadLetterQueue = false)
    {
        Name = name;
        Settings = settings;
        _nextSequence = nextSequence;
        DeadLetters = isDeadLetterQueue ? null : new FakeQueue(name + "/$DeadLetterQueue", settings with { MaxDeliveryCount = int.MaxValue }, nextSequence, true);
    }

    public string Name { get; }
    public FakeQueueSettings Settings { get; }
    public FakeQueue? DeadLetters { get; }
    public TimeSpan LockDuration => Settings.LockDuration;
    public int MaxDeliveryCount => Settings.MaxDeliveryCount;

    /// <summary>Completes when something changed that a waiting receiver may take.</summary>
    public Task Changed
    {
        get { lock (_gate) return _changed.Task; }
    }

    private void Signal()
    {
        var old = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    /// <summary>Adds a message; false when duplicate detection dropped it.</summary>
    public bool Send(string? messageId, byte[] body, Dictionary<string, string> properties, DateTimeOffset? scheduled, TimeSpan? timeToLive, DateTimeOffset now)
    {
        lock (_gate)
        {
            var id = string.IsNullOrEmpty(messageId) ? Guid.NewGuid().ToString("N") : messageId;
            if (Settings.RequiresDuplicateDetection)
            {
                foreach (var stale in _recentIds.Where(p => p.Value <= now).Select(p => p.Key).ToList()) _recentIds.Remove(stale);
                if (_recentIds.ContainsKey(id)) return false;
                _recentIds[id] = now + Settings.DuplicateDetectionHistoryTimeWindow;
            }
            var active = scheduled is { } at && at > now ? at : now;
            var message = new FakeMessage
            {
                SequenceNumber = _nextSequence(),
                MessageId = id,
                Body = body,
                Properties = properties,
                EnqueuedTime = active,
                ScheduledEnqueueTime = scheduled is { } s && s > now ? s : null,
                TimeToLive = timeToLive,
                ExpiresAt = timeToLive is { } ttl ? active + ttl : null,
            };
            _messages[message.SequenceNumber] = message;
            Signal();
            return true;
        }
    }

    /// <summary>Locks the oldest available message; null when there is none.</summary>
    public (FakeMessage Message, string LockToken, DateTimeOffset LockedUntil, int DeliveryCount)? TryLock(DateTimeOffset now)
    {
        lock (_gate)
        {
            Maintain(now);
            foreach (var message in _messages.Values)
            {
                if (message.IsLocked(now) || message.IsScheduled(now)) continue;
                message.DeliveryCount++;
                message.LockToken = Guid.NewGuid().ToString();
                message.LockedUntil = now + LockDuration;
                return (message, message.LockToken, message.LockedUntil, message.DeliveryCount);
            }
            return null;
        }
    }

    /// <summary>When the next scheduled message becomes active or the next lock expires (so a waiting receiver looks again).</summary>
    public DateTimeOffset? NextEvent(DateTimeOffset now)
    {
        lock (_gate)
        {
            DateTimeOffset? next = null;
            foreach (var m in _messages.Values)
            {
                DateTimeOffset? at = m.IsScheduled(now) ? m.ScheduledEnqueueTime : m.IsLocked(now) ? m.LockedUntil : null;
                if (at is { } t && (next is null || t < next)) next = t;
            }
            return next;
        }
    }

    public enum Settlement { Complete, Unlock, Renew }

    /// <summary>Settles a locked message by sequence number (or message id) and lock token; false when no such lock is held.</summary>
    public bool Settle(string idOrSequence, string lockToken, Settlement settlement, DateTimeOffset now)
    {
        lock (_gate)
        {
            Maintain(now);
            var message = long.TryParse(idOrSequence, out var sequence) && _messages.TryGetValue(sequence, out var bySequence) ? bySequence
                : _messages.Values.FirstOrDefault(m => m.MessageId == idOrSequence && m.LockToken == lockToken);
            if (message is null || message.LockToken != lockToken || !message.IsLocked(now)) return false;
            switch (settlement)
            {
                case Settlement.Complete:
                    _messages.Remove(message.SequenceNumber);
                    break;
                case Settlement.Unlock:
                    message.LockToken = null;
                    if (message.DeliveryCount >= MaxDeliveryCount) MoveToDeadLetters(message, now);
                    Signal();
                    break;
                case Settlement.Renew:
                    message.LockedUntil = now + LockDuration;
                    break;
            }
            return true;
        }
    }

    /// <summary>Expired locks released (and over-delivered messages dead-lettered); expired messages dropped.</summary>
    private void Maintain(DateTimeOffset now)
    {
        List<FakeMessage>? moved = null;
        List<long>? expired = null;
        foreach (var message in _messages.Values)
        {
            if (message.LockToken is not null && message.LockedUntil <= now)
            {
                message.LockToken = null;
                if (message.DeliveryCount >= MaxDeliveryCount) (moved ??= []).Add(message);
            }
            if (message.LockToken is null && message.ExpiresAt is { } expires && expires <= now) (expired ??= []).Add(message.SequenceNumber);
        }
        if (moved is not null) foreach (var message in moved) MoveToDeadLetters(message, now);
        if (expired is not null) foreach (var sequence in expired) _messages.Remove(sequence);
    }

    private void MoveToDeadLetters(FakeMessage message, DateTimeOffset now)
    {
        _messages.Remove(message.SequenceNumber);
        if (DeadLetters is null) return;
        var properties = new Dictionary<string, string>(message.Properties, StringComparer.Ordinal)
        {
            ["DeadLetterReason"] = "MaxDeliveryCountExceeded",
            ["DeadLetterErrorDescription"] = $"Message could not be consumed after {MaxDeliveryCount} delivery attempts.",
        };
        DeadLetters.Send(message.MessageId, message.Body, properties, null, null, now);
    }

    public (long Active, long Scheduled, long Locked) Counts(DateTimeOffset now)
    {
        lock (_gate)
        {
            Maintain(now);
            long active = 0, scheduled = 0, locked = 0;
            foreach (var m in _messages.Values)
            {
                if (m.IsScheduled(now)) scheduled++;
                else active++;
                if (m.IsLocked(now)) locked++;
            }
            return (active, scheduled, locked);
        }
    }
}

/// <summary>The QueueDescription properties the fake honours.</summary>
public sealed record FakeQueueSettings
{
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromMinutes(1);
    public int MaxDeliveryCount { get; init; } = 10;
    public bool RequiresDuplicateDetection { get; init; }
    public TimeSpan DuplicateDetectionHistoryTimeWindow { get; init; } = TimeSpan.FromMinutes(10);
}
