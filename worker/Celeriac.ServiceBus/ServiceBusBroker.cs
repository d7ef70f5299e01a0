using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.ServiceBus.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Celeriac.ServiceBus;

/// <summary>
/// The Azure Service Bus broker, on the REST API. One Service Bus queue per Celeriac queue (so per priority level).
/// A lease is a peek-lock: the lock lasts the queue's LockDuration and this broker renews it in the background until
/// the lease the worker asked for (and extends with its heartbeat) is over, so a lease is at least one lock duration.
/// Sends are batched; the REST API takes one message per peek-lock and settles one per request, so several peek-locks
/// run at once. Delays are scheduled messages (ScheduledEnqueueTimeUtc), with no limit on the countdown.
/// The REST API cannot dead-letter: dead letters are copies sent to Celeriac's own queue with the reason as a
/// property, written before the original is completed.
/// </summary>
public sealed partial class ServiceBusBroker : IBroker, IBrokerAdmin, IDisposable
{
    internal const int MaxBatchCount = 100;
    private const int PropertyOverheadBytes = 512;

    private readonly IServiceBusClient _client;
    private readonly ServiceBusBrokerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ServiceBusBroker> _logger;
    private readonly IDisposable? _ownedClient;
    private readonly ConcurrentDictionary<string, Task> _created = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _emptyUntil = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ServiceBusReceipt> _held = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _renewerGate = new();
    private Task? _renewer;
    private int _longPollTurn;
    private int _disposed;

    public ServiceBusBroker(IServiceBusClient client, ServiceBusBrokerOptions options, TimeProvider? timeProvider = null, ILogger<ServiceBusBroker>? logger = null, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        if (options.LockDuration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), "LockDuration must be positive.");
        if (options.ConcurrentReceivers < 1) throw new ArgumentOutOfRangeException(nameof(options), "ConcurrentReceivers must be at least 1.");
        _client = client;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<ServiceBusBroker>.Instance;
        _ownedClient = ownsClient ? client as IDisposable : null;
    }

    /// <summary>Stops lock renewal. Safe to call more than once (a container may dispose it under each name it is registered as).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stop.Cancel();
        try { _renewer?.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
        _stop.Dispose();
        _ownedClient?.Dispose();
    }

    /// <summary>The Service Bus queue of a Celeriac queue: prefix + name.</summary>
    public string QueueName(string queue) => _options.QueuePrefix + queue;

    private long Now => _time.GetTimestamp();

    private long After(TimeSpan span) => Now + (long)(span.TotalSeconds * _time.TimestampFrequency);

    private TimeSpan Remaining(long until) => TimeSpan.FromSeconds((until - Now) / (double)_time.TimestampFrequency);

    public async ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return;
        var now = _time.GetUtcNow();
        // Everything is checked before anything is sent, so an oversized message fails the call and not half a batch.
        var byQueue = new Dictionary<string, List<(ServiceBusOutgoingMessage Message, int Size)>>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            ArgumentException.ThrowIfNullOrEmpty(message.Queue, nameof(messages));
            var outgoing = ToOutgoing(message.Body.Span, message.NotBefore, now);
            var size = Size(outgoing);
            if (size > _options.MaxMessageBytes) throw new ServiceBusMessageTooLargeException(message.Queue, size, _options.MaxMessageBytes);
            if (!byQueue.TryGetValue(message.Queue, out var list)) byQueue[message.Queue] = list = [];
            list.Add((outgoing, size));
        }
        foreach (var (queue, list) in byQueue)
        {
            var name = QueueName(queue);
            await EnsureQueueAsync(name, cancellationToken).ConfigureAwait(false);
            await SendChunkedAsync(name, list, cancellationToken).ConfigureAwait(false);
            _emptyUntil.TryRemove(name, out _);
        }
    }

    /// <summary>
    /// Message id = task id (attempt 0) or task id:attempt (a retry is not a duplicate), so duplicate detection on the
    /// queue drops a task sent twice; expires → TimeToLive; envelope headers → application properties.
    /// </summary>
    private static ServiceBusOutgoingMessage ToOutgoing(ReadOnlySpan<byte> body, DateTimeOffset? notBefore, DateTimeOffset now, IReadOnlyDictionary<string, string>? extra = null, string? messageId = null)
    {
        var (text, base64) = ServiceBusBody.Encode(body);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        TimeSpan? ttl = null;
        try
        {
            var envelope = EnvelopeSerializer.Deserialize(body);
            messageId ??= Truncate(envelope.Attempt == 0 ? envelope.Id : $"{envelope.Id}:{envelope.Attempt.ToString(CultureInfo.InvariantCulture)}", 128);
            properties[ServiceBusProperties.Task] = envelope.Task;
            properties[ServiceBusProperties.Attempt] = envelope.Attempt.ToString(CultureInfo.InvariantCulture);
            if (envelope.Headers is not null)
                foreach (var (k, v) in envelope.Headers) properties[ServiceBusProperties.HeaderPrefix + k] = v;
            if (envelope.Expires is { } expires)
            {
                var from = notBefore is { } nb && nb > now ? nb : now;
                ttl = expires - from > TimeSpan.FromSeconds(1) ? expires - from : TimeSpan.FromSeconds(1);
            }
        }
        catch (InvalidEnvelopeException)
        {
        }
        if (base64) properties[ServiceBusProperties.Encoding] = "base64";
        if (extra is not null)
            foreach (var (k, v) in extra) properties[k] = v;
        return new ServiceBusOutgoingMessage(text)
        {
            MessageId = messageId ?? Guid.NewGuid().ToString("N"),
            ScheduledEnqueueTimeUtc = notBefore is { } at && at > now ? at : null,
            TimeToLive = ttl,
            Properties = properties,
        };
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    private static int Size(ServiceBusOutgoingMessage message)
    {
        var size = Encoding.UTF8.GetByteCount(message.Body);
        if (message.Properties is not null)
            foreach (var (k, v) in message.Properties) size += Encoding.UTF8.GetByteCount(k) + Encoding.UTF8.GetByteCount(v);
        return size;
    }

    /// <summary>Sends in batches of at most <see cref="MaxBatchCount"/> messages whose sizes add up to at most the message limit.</summary>
    private async Task SendChunkedAsync(string name, List<(ServiceBusOutgoingMessage Message, int Size)> messages, CancellationToken cancellationToken)
    {
        var start = 0;
        while (start < messages.Count)
        {
            var batch = new List<ServiceBusOutgoingMessage>();
            var bytes = 0;
            while (start < messages.Count && batch.Count < MaxBatchCount
                   && (batch.Count == 0 || bytes + messages[start].Size + PropertyOverheadBytes <= _options.MaxMessageBytes))
            {
                bytes += messages[start].Size + PropertyOverheadBytes;
                batch.Add(messages[start].Message);
                start++;
            }
            await _client.SendBatchAsync(name, batch, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task EnsureQueueAsync(string name, CancellationToken cancellationToken)
    {
        if (!_options.AutoCreateQueues) return;
        // Shared by every caller that needs the queue, so no caller's cancellation may cancel it; a failure is not kept.
        var task = _created.GetOrAdd(name, n => _client.CreateQueueAsync(n, SettingsFor(n), CancellationToken.None));
        try
        {
            await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (task.IsFaulted)
        {
            _created.TryRemove(new KeyValuePair<string, Task>(name, task));
            throw;
        }
    }

    private ServiceBusQueueSettings SettingsFor(string name) => new()
    {
        LockDuration = _options.LockDuration,
        // Listing dead letters locks and unlocks them, which counts as deliveries: the dead-letter queue must not move them on.
        MaxDeliveryCount = name == QueueName(_options.DeadLetterQueue) ? int.MaxValue : _options.MaxDeliveryCount,
        RequiresDuplicateDetection = _options.RequiresDuplicateDetection,
    };

    public async ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessages);
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), "A lease must be positive.");
        cancellationToken.ThrowIfCancellationRequested();
        if (queues.Count == 0) return [];
        var received = new List<BrokerMessage>();

        await ShortPassAsync(queues, maxMessages, lease, received, honourBackoff: true, cancellationToken).ConfigureAwait(false);
        if (received.Count > 0 || wait <= TimeSpan.Zero) return received;

        var started = _time.GetTimestamp();
        while (true)
        {
            var remaining = wait - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero) return received;
            // The service waits in whole seconds: a wait with a fraction left is rounded up rather than slept out, so a
            // message that arrives meanwhile is returned at once.
            var seconds = (int)Math.Min(_options.LongPollSeconds, Math.Ceiling(remaining.TotalSeconds));
            if (queues.Count > 1) seconds = Math.Min(seconds, Math.Max(1, _options.MultiQueuePollSeconds));
            var turn = queues.Count == 1 ? 0 : (int)((uint)Interlocked.Increment(ref _longPollTurn) % (uint)queues.Count);
            // One long poll: a peek-lock abandoned by its client may still lock a message on the service, so no more
            // are left waiting than are needed. The rest of the free slots are filled right after.
            var message = await PeekLockAsync(QueueName(queues[turn]), seconds, createMissing: true, cancellationToken).ConfigureAwait(false);
            if (message is not null) received.Add(Accept(queues[turn], message, lease));
            if (received.Count > 0 || queues.Count > 1)
                await ShortPassAsync(queues, maxMessages, lease, received, honourBackoff: received.Count == 0, cancellationToken).ConfigureAwait(false);
            if (received.Count > 0) return received;
        }
    }

    /// <summary>
    /// Takes ready messages queue by queue in the order given, with up to <see cref="ServiceBusBrokerOptions.ConcurrentReceivers"/>
    /// peek-locks in flight at once; a queue that answers "none" to any of them is left for the next one.
    /// </summary>
    private async Task ShortPassAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, List<BrokerMessage> received, bool honourBackoff, CancellationToken cancellationToken)
    {
        var now = Now;
        foreach (var queue in queues)
        {
            if (received.Count >= maxMessages) return;
            var name = QueueName(queue);
            if (honourBackoff && _emptyUntil.TryGetValue(name, out var until) && now < until) continue;
            while (received.Count < maxMessages)
            {
                var count = Math.Min(maxMessages - received.Count, _options.ConcurrentReceivers);
                var got = await PeekLockManyAsync(name, count, cancellationToken).ConfigureAwait(false);
                foreach (var message in got) received.Add(Accept(queue, message, lease));
                if (got.Count == 0) _emptyUntil[name] = After(_options.EmptyQueueBackoff);
                if (got.Count < count) break;
            }
        }
    }

    /// <summary><paramref name="count"/> peek-locks without a wait, at once. If one fails, the messages the others locked are unlocked again.</summary>
    private async Task<List<LockedMessage>> PeekLockManyAsync(string name, int count, CancellationToken cancellationToken, bool createMissing = true)
    {
        if (count == 1)
        {
            var single = await PeekLockAsync(name, 0, createMissing, cancellationToken).ConfigureAwait(false);
            return single is null ? [] : [single];
        }
        var tasks = new Task<LockedMessage?>[count];
        for (var i = 0; i < count; i++) tasks[i] = PeekLockAsync(name, 0, createMissing, cancellationToken);
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception)
        {
            foreach (var task in tasks)
                if (task.IsCompletedSuccessfully && task.Result is { } locked)
                    _ = UnlockQuietlyAsync(locked.Message.Lock);
            throw;
        }
        return [.. tasks.Select(t => t.Result).OfType<LockedMessage>()];
    }

    /// <summary>
    /// One peek-lock, with the earliest moment its lock can have begun (see <see cref="Accept"/>): when the request went
    /// out for a peek-lock without a wait, and when the answer came for a long poll (which answers as soon as it locks).
    /// </summary>
    private async Task<LockedMessage?> PeekLockAsync(string name, int seconds, bool createMissing, CancellationToken cancellationToken)
    {
        ServiceBusReceivedMessage? message;
        var sentAt = Now;
        try
        {
            message = await _client.PeekLockAsync(name, seconds, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceBusException ex) when (ex.IsEntityMissing && createMissing && _options.AutoCreateQueues)
        {
            _created.TryRemove(name, out _);
            await EnsureQueueAsync(name, cancellationToken).ConfigureAwait(false);
            sentAt = Now;
            message = await _client.PeekLockAsync(name, seconds, cancellationToken).ConfigureAwait(false);
        }
        return message is null ? null : new LockedMessage(message, seconds == 0 ? sentAt : Now);
    }

    private sealed record LockedMessage(ServiceBusReceivedMessage Message, long LockedFrom);

    private async Task UnlockQuietlyAsync(ServiceBusLock messageLock)
    {
        try
        {
            await _client.UnlockAsync(messageLock, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ServiceBusException ex)
        {
            LogSettleFailed("Unlock", ex.Message);
        }
    }

    /// <summary>
    /// Registers the delivery for lock renewal and turns it into a broker message. The lock is counted from the earliest
    /// moment it can have begun, not from now: an answer can be slow to arrive (a loaded machine, or several peek-locks in
    /// flight at once), and a lock counted from too late is renewed too late and lapses.
    /// </summary>
    private BrokerMessage Accept(string queue, LockedMessage locked, TimeSpan lease)
    {
        var (message, lockedFrom) = locked;
        var receipt = new ServiceBusReceipt(queue, message.Lock, message.MessageId, message.Properties,
            lockedFrom + (long)(_options.LockDuration.TotalSeconds * _time.TimestampFrequency), After(lease));
        _held[message.Lock.LockToken] = receipt;
        EnsureRenewer();
        var count = message.DeliveryCount;
        if (message.Properties.TryGetValue(ServiceBusProperties.Deliveries, out var before) && int.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var earlier))
            count += earlier;
        return new BrokerMessage
        {
            Queue = queue,
            Body = ServiceBusBody.Decode(message.Body, message.Properties.TryGetValue(ServiceBusProperties.Encoding, out var e) && e == "base64"),
            Receipt = message.Lock.LockToken,
            DeliveryCount = Math.Max(1, count),
            BrokerState = receipt,
        };
    }

    private ServiceBusReceipt Receipt(BrokerMessage message) =>
        _held.TryGetValue(message.Receipt, out var held) ? held
        : message.BrokerState as ServiceBusReceipt
          ?? throw new ArgumentException($"The message was not received from a Service Bus broker (receipt {message.Receipt}).", nameof(message));

    public async ValueTask AckAsync(IReadOnlyList<BrokerMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return;
        var receipts = messages.Select(Receipt).ToList();
        try
        {
            // The REST API completes one message per request: they go out together.
            var results = await Task.WhenAll(receipts.Select(r => _client.CompleteAsync(r.Lock, cancellationToken))).ConfigureAwait(false);
            if (results.Any(ok => !ok)) LogStale("Complete", results.Count(ok => !ok));
        }
        finally
        {
            // Whether or not the completes went through, this process is done with these deliveries.
            foreach (var receipt in receipts) _held.TryRemove(receipt.Lock.LockToken, out _);
        }
    }

    public async ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var until = After(lease);
        var due = new List<ServiceBusReceipt>();
        foreach (var message in messages)
        {
            if (!_held.TryGetValue(message.Receipt, out var receipt)) continue;
            receipt.LeaseUntil = Math.Max(receipt.LeaseUntil, until);
            if (NeedsRenewal(receipt, Now)) due.Add(receipt);
        }
        if (due.Count > 0) await Task.WhenAll(due.Select(r => RenewAsync(r, cancellationToken))).ConfigureAwait(false);
    }

    private bool NeedsRenewal(ServiceBusReceipt receipt, long now) =>
        receipt.LeaseUntil > receipt.LockedUntil && receipt.LockedUntil - now < _options.LockDuration.TotalSeconds * _time.TimestampFrequency * 2 / 3;

    /// <summary>Renews one lock; false (and forgotten) when the lock was no longer held.</summary>
    private async Task<bool> RenewAsync(ServiceBusReceipt receipt, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref receipt.Renewing, 1) == 1) return true;
        try
        {
            var from = Now;
            if (await _client.RenewLockAsync(receipt.Lock, cancellationToken).ConfigureAwait(false))
            {
                receipt.LockedUntil = from + (long)(_options.LockDuration.TotalSeconds * _time.TimestampFrequency);
                return true;
            }
            _held.TryRemove(receipt.Lock.LockToken, out _);
            LogStale("RenewLock", 1);
            return false;
        }
        finally
        {
            Volatile.Write(ref receipt.Renewing, 0);
        }
    }

    private void EnsureRenewer()
    {
        if (_renewer is not null) return;
        lock (_renewerGate) _renewer ??= Task.Run(RenewLoopAsync);
    }

    /// <summary>
    /// Renews the locks of deliveries whose lease outlasts their lock, once a third of the lock has passed (so a loaded
    /// machine has two thirds of it to get the renewal through), and forgets deliveries whose lock ran out.
    /// </summary>
    private async Task RenewLoopAsync()
    {
        var tick = TimeSpan.FromTicks(Math.Clamp(_options.LockDuration.Ticks / 8, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(5).Ticks));
        using var timer = new PeriodicTimer(tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                var now = Now;
                var due = new List<ServiceBusReceipt>();
                foreach (var (token, receipt) in _held)
                {
                    // The lock's end is a conservative estimate: while the lease wants more, the service is asked
                    // (RenewAsync forgets the delivery if the lock is gone); otherwise it is forgotten once it has run out.
                    if (NeedsRenewal(receipt, now)) due.Add(receipt);
                    else if (receipt.LockedUntil <= now) _held.TryRemove(token, out _);
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

    /// <summary>
    /// Without a delay: Unlock (abandon), so the message is visible at once. With one: the current holder (checked by a
    /// lock renewal) sends a scheduled copy that carries the delivery count, then completes the original.
    /// </summary>
    public async ValueTask ReleaseAsync(BrokerMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var receipt = Receipt(message);
        var name = QueueName(receipt.Queue);
        try
        {
            if (delay <= TimeSpan.Zero)
            {
                if (!await _client.UnlockAsync(receipt.Lock, cancellationToken).ConfigureAwait(false)) LogStale("Unlock", 1);
                _emptyUntil.TryRemove(name, out _);
                return;
            }
            if (!await _client.RenewLockAsync(receipt.Lock, cancellationToken).ConfigureAwait(false)) return;
            var now = _time.GetUtcNow();
            var extra = CarriedProperties(receipt);
            extra[ServiceBusProperties.Deliveries] = message.DeliveryCount.ToString(CultureInfo.InvariantCulture);
            var copy = ToOutgoing(message.Body.Span, now + delay, now, extra, Truncate($"{receipt.MessageId}:r{message.DeliveryCount.ToString(CultureInfo.InvariantCulture)}", 128));
            await _client.SendBatchAsync(name, [copy], cancellationToken).ConfigureAwait(false);
            await _client.CompleteAsync(receipt.Lock, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _held.TryRemove(receipt.Lock.LockToken, out _);
        }
    }

    /// <summary>The application properties a copy keeps (not the encoding, which the copy sets itself, nor an earlier count).</summary>
    private static Dictionary<string, string> CarriedProperties(ServiceBusReceipt receipt) =>
        receipt.Properties.Where(p => p.Key.StartsWith("celeriac-", StringComparison.OrdinalIgnoreCase)
                                      && !p.Key.Equals(ServiceBusProperties.Encoding, StringComparison.OrdinalIgnoreCase)
                                      && !p.Key.Equals(ServiceBusProperties.Deliveries, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value, StringComparer.Ordinal);

    public async ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reason);
        var receipt = Receipt(message);
        try
        {
            // Only the current holder may dead-letter: a stale lock fails here, before a copy is made.
            if (!await _client.RenewLockAsync(receipt.Lock, cancellationToken).ConfigureAwait(false)) return;
            var name = QueueName(_options.DeadLetterQueue);
            await EnsureQueueAsync(name, cancellationToken).ConfigureAwait(false);
            var extra = CarriedProperties(receipt);
            extra[ServiceBusProperties.Reason] = Truncate(reason.Length == 0 ? "dead-lettered" : reason, 4096);
            extra[ServiceBusProperties.SourceQueue] = receipt.Queue;
            extra[ServiceBusProperties.DeadLetteredAt] = _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            var copy = ToOutgoing(message.Body.Span, null, _time.GetUtcNow(), extra, Guid.NewGuid().ToString("N"));
            copy = copy with { TimeToLive = null };
            await _client.SendBatchAsync(name, [copy], cancellationToken).ConfigureAwait(false);
            await _client.CompleteAsync(receipt.Lock, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _held.TryRemove(receipt.Lock.LockToken, out _);
        }
    }

    /// <summary>
    /// From the queue's runtime counts. Service Bus counts locked messages as active: the ones this broker holds are
    /// reported in flight, the rest of the active count as ready (other processes' locks count as ready; the total is exact).
    /// </summary>
    public async ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken)
    {
        var info = await _client.GetQueueAsync(QueueName(queue), cancellationToken).ConfigureAwait(false);
        if (info is null) return default;
        var now = Now;
        // Held: its lock has not run out, or its lease still wants it (its renewal is under way; a lost lock forgets it).
        var held = _held.Values.Count(r => r.Queue == queue && (r.LockedUntil > now || NeedsRenewal(r, now)));
        var inFlight = Math.Min(held, info.ActiveMessageCount);
        return new QueueDepth(info.ActiveMessageCount - inFlight, inFlight, info.ScheduledMessageCount);
    }

    public async ValueTask<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var deadLetters = QueueName(_options.DeadLetterQueue);
        foreach (var name in await _client.ListQueuesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (name == deadLetters || !name.StartsWith(_options.QueuePrefix, StringComparison.Ordinal)) continue;
            var queue = name[_options.QueuePrefix.Length..];
            if (queue.Length > 0) names.Add(queue);
        }
        return [.. names];
    }

    /// <summary>
    /// The REST API has no purge: the queue is deleted and created again with the same lock duration and delivery count
    /// (needs Manage rights). Every message goes, ready, scheduled and locked. Returns the count before.
    /// </summary>
    public async ValueTask<long> PurgeAsync(string queue, CancellationToken cancellationToken)
    {
        var name = QueueName(queue);
        var info = await _client.GetQueueAsync(name, cancellationToken).ConfigureAwait(false);
        if (info is null) return 0;
        var count = info.ActiveMessageCount + info.ScheduledMessageCount;
        if (count == 0) return 0;
        await _client.DeleteQueueAsync(name, cancellationToken).ConfigureAwait(false);
        await _client.CreateQueueAsync(name, SettingsFor(name) with { LockDuration = info.LockDuration, MaxDeliveryCount = info.MaxDeliveryCount }, cancellationToken).ConfigureAwait(false);
        foreach (var (token, receipt) in _held)
            if (receipt.Queue == queue) _held.TryRemove(token, out _);
        return count;
    }

    public async ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? queue, int limit, CancellationToken cancellationToken)
    {
        var letters = await ScanDeadLettersAsync(queue, cancellationToken).ConfigureAwait(false);
        try
        {
            return [.. letters.Select(l => l.Letter).Where(d => queue is null || d.Queue == queue).Take(limit)];
        }
        finally
        {
            await RestoreAsync(letters.Select(l => l.Lock)).ConfigureAwait(false);
        }
    }

    public async ValueTask<int> DeleteDeadLettersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var letters = await ScanDeadLettersAsync(null, cancellationToken).ConfigureAwait(false);
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        var chosen = letters.Where(l => wanted.Contains(l.Letter.Id)).ToList();
        try
        {
            await Task.WhenAll(chosen.Select(l => _client.CompleteAsync(l.Lock, cancellationToken))).ConfigureAwait(false);
            return chosen.Count;
        }
        finally
        {
            await RestoreAsync(letters.Where(l => !wanted.Contains(l.Letter.Id)).Select(l => l.Lock)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Dead letters are Celeriac's own (its dead-letter queue, with the reason it gave) and the service's (each queue's
    /// <c>$DeadLetterQueue</c>, e.g. past MaxDeliveryCount after repeated crashes, with the service's DeadLetterReason).
    /// The REST API cannot browse: they are read by locking every message, oldest first by the time of dead-lettering;
    /// callers unlock them again (<see cref="RestoreAsync"/>).
    /// </summary>
    private async Task<List<(DeadLetter Letter, ServiceBusLock Lock)>> ScanDeadLettersAsync(string? queue, CancellationToken cancellationToken)
    {
        var seen = new Dictionary<string, (DeadLetter, ServiceBusLock)>(StringComparer.Ordinal);
        foreach (var m in await LockAllAsync(QueueName(_options.DeadLetterQueue), createMissing: true, cancellationToken).ConfigureAwait(false))
        {
            var at = m.Properties.TryGetValue(ServiceBusProperties.DeadLetteredAt, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : m.EnqueuedTimeUtc ?? DateTimeOffset.MinValue;
            seen[m.MessageId] = (new DeadLetter(m.MessageId, m.Properties.GetValueOrDefault(ServiceBusProperties.SourceQueue, ""), Body(m),
                m.Properties.GetValueOrDefault(ServiceBusProperties.Reason, "dead-lettered"), at), m.Lock);
        }
        IReadOnlyList<string> queues;
        try
        {
            queues = queue is not null ? [queue] : await ListQueuesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceBusException ex)
        {
            // Listing queues needs Manage rights; without them only Celeriac's own dead letters are shown.
            LogSettleFailed("ListQueues", ex.Message);
            queues = [];
        }
        foreach (var source in queues)
        {
            foreach (var m in await LockAllAsync(QueueName(source) + "/$DeadLetterQueue", createMissing: false, cancellationToken).ConfigureAwait(false))
            {
                var reason = "dead-lettered by Service Bus: " + m.Properties.GetValueOrDefault("DeadLetterReason", "unknown reason");
                if (m.Properties.TryGetValue("DeadLetterErrorDescription", out var description) && description.Length > 0) reason += " (" + description + ")";
                seen.TryAdd(m.MessageId, (new DeadLetter(m.MessageId, source, Body(m), reason, m.EnqueuedTimeUtc ?? DateTimeOffset.MinValue), m.Lock));
            }
        }
        // Dead-lettering times are to the millisecond; the dead-letter queue's sequence numbers order letters of the same millisecond.
        return [.. seen.Values.OrderBy(l => l.Item1.DeadLetteredAt).ThenBy(l => l.Item2.SequenceNumber)];
    }

    private static byte[] Body(ServiceBusReceivedMessage m) =>
        ServiceBusBody.Decode(m.Body, m.Properties.TryGetValue(ServiceBusProperties.Encoding, out var e) && e == "base64");

    /// <summary>Locks every message of an entity: one peek-lock first, then as many at once as receivers are allowed.</summary>
    private async Task<List<ServiceBusReceivedMessage>> LockAllAsync(string path, bool createMissing, CancellationToken cancellationToken)
    {
        var all = new List<ServiceBusReceivedMessage>();
        try
        {
            for (var width = 1; ; width = _options.ConcurrentReceivers)
            {
                var batch = await PeekLockManyAsync(path, width, cancellationToken, createMissing).ConfigureAwait(false);
                all.AddRange(batch.Select(l => l.Message));
                if (batch.Count < width) break;
            }
        }
        catch (ServiceBusException ex) when (ex.IsEntityMissing)
        {
        }
        return all;
    }

    private async Task RestoreAsync(IEnumerable<ServiceBusLock> locks) =>
        await Task.WhenAll(locks.Select(UnlockQuietlyAsync)).ConfigureAwait(false);

    [LoggerMessage(LogLevel.Debug, "{Operation}: {Count} lock(s) no longer held (the lock expired or the message was settled); ignored")]
    private partial void LogStale(string operation, int count);

    [LoggerMessage(LogLevel.Warning, "{Operation} failed: {Message}; the message returns when its lock expires")]
    private partial void LogSettleFailed(string operation, string message);

    [LoggerMessage(LogLevel.Warning, "Renewing locks failed: {Message}; tried again on the next tick")]
    private partial void LogRenewFailed(string message);
}
