using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using Celeriac.Brokers;
using Celeriac.Brokers.Remote;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Celeriac.ServiceBus;

/// <summary>
/// The Azure Service Bus broker, on Azure.Messaging.ServiceBus (AMQP). One Service Bus queue per Celeriac queue (so per
/// priority level). Receives are peek-locks in batches on one receiver per queue with no prefetch: link credit is granted
/// only for the free slots a receive asks for, so a busy worker holds locks only on what it runs. A lease is a lock,
/// renewed while the worker's lease outlasts it (<see cref="ServiceBusLocks"/>). Delays are scheduled messages; dead
/// letters are the service's own, in each queue's <c>$DeadLetterQueue</c>, with Celeriac's reason as DeadLetterReason.
/// Queue counts, creation and listing go through the administration client.
/// </summary>
public sealed partial class ServiceBusBroker : IBroker, IBrokerAdmin, IAsyncDisposable, IDisposable
{
    /// <summary>The most one receive asks for; a worker's free slots are usually fewer.</summary>
    internal const int MaxReceiveBatch = 100;
    private const int PeekPage = 250;
    private const int CancelChunk = 100;

    /// <summary>How many scheduled or locked messages a wait-time read looks past before it says it cannot tell.</summary>
    private const int OldestReadyPeekLimit = 1000;

    private readonly ServiceBusClient _client;
    private readonly Lazy<ServiceBusAdministrationClient> _administration;
    private readonly ServiceBusBrokerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ServiceBusLocks _locks;
    private readonly bool _ownsLocks;
    private readonly ReceiveLoop _receiveLoop;
    private readonly QueueCreator _queues;
    private readonly ConcurrentDictionary<string, Lazy<ServiceBusSender>> _senders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<ServiceBusReceiver>> _receivers = new(StringComparer.Ordinal);
    private int _disposed;

    /// <summary>A broker on the given clients, with lock renewal of its own (started here, stopped when the broker is disposed). The clients stay the caller's.</summary>
    public ServiceBusBroker(ServiceBusClient client, ServiceBusAdministrationClient administration, ServiceBusBrokerOptions options, TimeProvider? timeProvider = null, ILoggerFactory? loggers = null)
        : this(client, () => administration ?? throw new ArgumentNullException(nameof(administration)), options,
            new ServiceBusLocks(options, timeProvider, loggers?.CreateLogger<ServiceBusLocks>()), ownsLocks: true, timeProvider, loggers?.CreateLogger<ServiceBusBroker>())
    {
        _locks.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>From DI: the administration client is resolved on first use (a worker that creates no queues never needs one), the locks are the host's.</summary>
    internal ServiceBusBroker(ServiceBusClient client, Func<ServiceBusAdministrationClient> administration, ServiceBusBrokerOptions options, ServiceBusLocks locks, bool ownsLocks, TimeProvider? timeProvider, ILogger<ServiceBusBroker>? logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(administration);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(locks);
        ServiceBusBrokerOptionsValidator.Instance.ThrowIfInvalid(options);
        _client = client;
        _administration = new Lazy<ServiceBusAdministrationClient>(administration);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<ServiceBusBroker>.Instance;
        _locks = locks;
        _ownsLocks = ownsLocks;
        _receiveLoop = new ReceiveLoop(options, _time);
        _queues = new QueueCreator(CreateQueueAsync);
    }

    /// <summary>The Service Bus queue of a Celeriac queue: prefix + name.</summary>
    public string QueueName(string queue) => _options.QueuePrefix + queue;

    private ServiceBusAdministrationClient Administration => _administration.Value;

    private ServiceBusSender Sender(string name) =>
        _senders.GetOrAdd(name, n => new Lazy<ServiceBusSender>(() => _client.CreateSender(n))).Value;

    private ServiceBusReceiver Receiver(string name) =>
        _receivers.GetOrAdd(name, n => new Lazy<ServiceBusReceiver>(() => _client.CreateReceiver(n, new ServiceBusReceiverOptions
        {
            ReceiveMode = ServiceBusReceiveMode.PeekLock,
            PrefetchCount = 0,
        }))).Value;

    private static bool IsMissing(ServiceBusException ex) => ex.Reason == ServiceBusFailureReason.MessagingEntityNotFound;

    private static bool IsLockLost(ServiceBusException ex) => ex.Reason == ServiceBusFailureReason.MessageLockLost;

    // ---- sending ----

    /// <summary>
    /// Sends in the SDK's size-checked batches, one series per queue. Every message is packed before anything is sent, so
    /// a message too large for the queue fails the call and not half of it.
    /// </summary>
    public async ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return;
        var now = _time.GetUtcNow();
        var byQueue = new Dictionary<string, List<ServiceBusMessage>>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            ArgumentException.ThrowIfNullOrEmpty(message.Queue, nameof(messages));
            if (!byQueue.TryGetValue(message.Queue, out var list)) byQueue[message.Queue] = list = [];
            list.Add(ServiceBusMessages.ToServiceBus(message, now));
        }
        var batches = new List<(ServiceBusSender Sender, ServiceBusMessageBatch Batch)>();
        try
        {
            foreach (var (queue, list) in byQueue)
            {
                var name = QueueName(queue);
                await EnsureQueueAsync(name, cancellationToken).ConfigureAwait(false);
                var sender = Sender(name);
                var batch = await NewBatchAsync(sender, name, cancellationToken).ConfigureAwait(false);
                batches.Add((sender, batch));
                foreach (var message in list)
                {
                    if (batch.TryAddMessage(message)) continue;
                    if (batch.Count > 0)
                    {
                        batch = await sender.CreateMessageBatchAsync(cancellationToken).ConfigureAwait(false);
                        batches.Add((sender, batch));
                        if (batch.TryAddMessage(message)) continue;
                    }
                    throw new MessageTooLargeException(queue, ServiceBusMessages.Size(message), (int)Math.Min(int.MaxValue, batch.MaxSizeInBytes));
                }
            }
            foreach (var (sender, batch) in batches)
                await sender.SendMessagesAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (_, batch) in batches) batch.Dispose();
        }
        foreach (var queue in byQueue.Keys) _receiveLoop.MarkReady(QueueName(queue));
    }

    /// <summary>A batch needs the sender's link (it carries the queue's size limit): a missing queue shows here.</summary>
    private async Task<ServiceBusMessageBatch> NewBatchAsync(ServiceBusSender sender, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await sender.CreateMessageBatchAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceBusException ex) when (IsMissing(ex) && _options.AutoCreateQueues)
        {
            _queues.Forget(name);
            await EnsureQueueAsync(name, cancellationToken).ConfigureAwait(false);
            return await sender.CreateMessageBatchAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private Task EnsureQueueAsync(string name, CancellationToken cancellationToken) =>
        _options.AutoCreateQueues ? _queues.EnsureAsync(name, cancellationToken) : Task.CompletedTask;

    private async Task CreateQueueAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await Administration.CreateQueueAsync(new CreateQueueOptions(name)
            {
                LockDuration = _options.LockDuration,
                MaxDeliveryCount = _options.MaxDeliveryCount,
                RequiresDuplicateDetection = _options.RequiresDuplicateDetection,
            }, cancellationToken).ConfigureAwait(false);
            LogCreated(name);
        }
        catch (ServiceBusException ex) when (ex.Reason == ServiceBusFailureReason.MessagingEntityAlreadyExists)
        {
        }
    }

    // ---- receiving ----

    public async ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        ReceiveArguments.Check(queues, maxMessages, lease, cancellationToken);
        if (queues.Count == 0) return [];
        var names = queues.Select(QueueName).ToList();
        return await _receiveLoop.ReceiveAsync(names, maxMessages, wait, MaxReceiveBatch,
            (i, max, w, into, ct) => ReceiveFromAsync(queues[i], names[i], max, w, lease, into, ct),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One receive on one queue; returns how many messages the service handed out. The SDK answers 20 ms after the first
    /// message, so a batch cut short is not an empty queue: an immediate receive that got some but fewer than asked asks
    /// again for the rest, until the queue answers empty or the batch is full. A message whose body cannot carry an
    /// envelope is dead-lettered here with the reason, so the worker never sees it.
    /// </summary>
    private async Task<int> ReceiveFromAsync(string queue, string name, int max, TimeSpan wait, TimeSpan lease, List<BrokerMessage> into, CancellationToken cancellationToken)
    {
        var receiver = Receiver(name);
        var waitFor = wait > TimeSpan.Zero ? wait : _options.ReadyWait;
        var total = 0;
        while (total < max)
        {
            // The locks of what this receive returns were taken after it started: counted from here, they are never counted late.
            var from = _locks.Now;
            IReadOnlyList<ServiceBusReceivedMessage> received;
            try
            {
                received = await receiver.ReceiveMessagesAsync(max - total, waitFor, cancellationToken).ConfigureAwait(false);
            }
            catch (ServiceBusException ex) when (IsMissing(ex) && _options.AutoCreateQueues)
            {
                _queues.Forget(name);
                await EnsureQueueAsync(name, cancellationToken).ConfigureAwait(false);
                from = _locks.Now;
                received = await receiver.ReceiveMessagesAsync(max - total, waitFor, cancellationToken).ConfigureAwait(false);
            }
            await AcceptAsync(queue, receiver, received, from, lease, into, cancellationToken).ConfigureAwait(false);
            total += received.Count;
            if (wait > TimeSpan.Zero || received.Count == 0) break;
        }
        return total;
    }

    /// <summary>Holds the lock of each received message and hands on those whose body can be read.</summary>
    private async Task AcceptAsync(string queue, ServiceBusReceiver receiver, IReadOnlyList<ServiceBusReceivedMessage> received, long from, TimeSpan lease, List<BrokerMessage> into, CancellationToken cancellationToken)
    {
        if (received.Count == 0) return;
        var leaseUntil = _locks.After(lease);
        List<(ServiceBusReceipt Receipt, string Problem)>? unreadable = null;
        foreach (var message in received)
        {
            var receipt = new ServiceBusReceipt(queue, receiver, message, _locks.LockEnd(from, message.LockedUntil, queue), leaseUntil);
            _locks.Hold(receipt);
            if (!ServiceBusMessages.TryGetBody(message, out var body, out var problem))
            {
                (unreadable ??= []).Add((receipt, problem));
                continue;
            }
            into.Add(new BrokerMessage
            {
                Queue = queue,
                Body = body,
                Receipt = message.LockToken,
                DeliveryCount = RemoteAttributes.DeliveryCount(message.DeliveryCount, ServiceBusMessages.Properties(message)),
                BrokerState = receipt,
            });
        }
        if (unreadable is not null)
            foreach (var (receipt, problem) in unreadable)
                await DeadLetterAsync(receipt, problem, cancellationToken).ConfigureAwait(false);
    }

    private ServiceBusReceipt Receipt(BrokerMessage message) =>
        _locks.TryGet(message.Receipt, out var held) ? held
        : message.BrokerState as ServiceBusReceipt
          ?? throw new ArgumentException($"The message was not received from a Service Bus broker (receipt {message.Receipt}).", nameof(message));

    // ---- settling ----

    /// <summary>Completes each message (dispositions on the receive link, which the SDK sends together). A lost lock is ignored: the message comes back.</summary>
    public async ValueTask AckAsync(IReadOnlyList<BrokerMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return;
        await Task.WhenAll(messages.Select(m => CompleteAsync(Receipt(m), cancellationToken))).ConfigureAwait(false);
    }

    private async Task<bool> CompleteAsync(ServiceBusReceipt receipt, CancellationToken cancellationToken)
    {
        try
        {
            return await SettleAsync(receipt, "Complete", ct => receipt.Receiver.CompleteMessageAsync(receipt.Message, ct), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Whether or not the complete went through, this process is done with this delivery.
            _locks.Forget(receipt);
        }
    }

    /// <summary>
    /// Runs a settlement; false when the lock is no longer held. A lost lock is tried once more before it counts: when its
    /// connection dropped, the SDK reports the lock of a delivery on the lost link as lost, and its next try, on a new
    /// link, settles through <c>$management</c> by lock token while the lock still holds on the service.
    /// </summary>
    private async Task<bool> SettleAsync(ServiceBusReceipt receipt, string operation, Func<CancellationToken, Task> settle, CancellationToken cancellationToken)
    {
        try
        {
            await settle(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ServiceBusException ex) when (IsLockLost(ex))
        {
        }
        try
        {
            await settle(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ServiceBusException ex) when (IsLockLost(ex))
        {
            LogStale(operation, receipt.Queue);
            return false;
        }
    }

    public ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return new ValueTask(_locks.ExtendAsync(messages.Select(m => m.Receipt), lease, cancellationToken));
    }

    /// <summary>
    /// Without a delay: abandon, visible at once, DeliveryCount + 1. With one: the current holder (checked by a lock
    /// renewal) sends a scheduled copy carrying the delivery count, then completes the original; a crash in between leaves
    /// both (at-least-once), never neither.
    /// </summary>
    public async ValueTask ReleaseAsync(BrokerMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var receipt = Receipt(message);
        try
        {
            if (delay <= TimeSpan.Zero)
            {
                await SettleAsync(receipt, "Abandon", ct => receipt.Receiver.AbandonMessageAsync(receipt.Message, cancellationToken: ct), cancellationToken).ConfigureAwait(false);
                _receiveLoop.MarkReady(QueueName(receipt.Queue));
                return;
            }
            if (!await _locks.RenewAsync(receipt, cancellationToken).ConfigureAwait(false)) return;
            var copy = ServiceBusMessages.ReleaseCopy(receipt.Message, message.DeliveryCount, _time.GetUtcNow() + delay);
            await Sender(QueueName(receipt.Queue)).SendMessageAsync(copy, cancellationToken).ConfigureAwait(false);
            await SettleAsync(receipt, "Complete", ct => receipt.Receiver.CompleteMessageAsync(receipt.Message, ct), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _locks.Forget(receipt);
        }
    }

    /// <summary>
    /// The service's own dead-lettering: the message moves to its queue's <c>$DeadLetterQueue</c> in one step, body and
    /// properties intact, with Celeriac's reason as DeadLetterReason (what the Azure portal and Service Bus Explorer show)
    /// and the time as a property. A lock no longer held is ignored: another receiver has the message now.
    /// </summary>
    public ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reason);
        return new ValueTask(DeadLetterAsync(Receipt(message), reason, cancellationToken));
    }

    private async Task DeadLetterAsync(ServiceBusReceipt receipt, string reason, CancellationToken cancellationToken)
    {
        var properties = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [RemoteAttributes.DeadLetteredAt] = RemoteAttributes.FormatTime(_time.GetUtcNow()),
        };
        try
        {
            await SettleAsync(receipt, "DeadLetter", ct => receipt.Receiver.DeadLetterMessageAsync(receipt.Message, properties,
                ServiceBusMessages.Truncate(reason.Length == 0 ? "dead-lettered" : reason, RemoteAttributes.MaxReasonLength),
                $"Dead-lettered by Celeriac from queue '{receipt.Queue}' at delivery {receipt.Message.DeliveryCount}.", ct), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _locks.Forget(receipt);
        }
    }

    // ---- depth and administration ----

    /// <summary>
    /// From the queue's runtime properties: active and scheduled counts. Service Bus counts locked messages as active: the
    /// ones this process holds are reported in flight and the rest as ready (for another process, in-flight messages are
    /// part of "ready"; the total, which the autoscaler uses, is exact).
    /// </summary>
    public async ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken)
    {
        QueueRuntimeProperties properties;
        try
        {
            properties = (await Administration.GetQueueRuntimePropertiesAsync(QueueName(queue), cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (ServiceBusException ex) when (IsMissing(ex))
        {
            return default;
        }
        var inFlight = Math.Min(_locks.HeldIn(queue).Count, properties.ActiveMessageCount);
        return new QueueDepth(properties.ActiveMessageCount - inFlight, inFlight, properties.ScheduledMessageCount);
    }

    /// <summary>
    /// From a peek (no lock taken, no delivery counted): the first active message in sequence order, its EnqueuedTime
    /// (for a scheduled message, the time it became active). Scheduled and deferred messages are passed over. Peek does not
    /// say whether another receiver holds a message's lock, so on Service Bus the head may be a message being worked on:
    /// the age is then that of the oldest unfinished message. Measured on this process's clock against the service's.
    /// </summary>
    public async ValueTask<TimeSpan?> GetOldestReadyAgeAsync(string queue, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var seen = 0;
        try
        {
            await foreach (var message in PeekAllAsync(Receiver(QueueName(queue)), cancellationToken).ConfigureAwait(false))
            {
                if (message.State == ServiceBusMessageState.Active && message.LockedUntil <= now)
                    return now > message.EnqueuedTime ? now - message.EnqueuedTime : TimeSpan.Zero;
                if (++seen >= OldestReadyPeekLimit) break;
            }
        }
        catch (ServiceBusException ex) when (IsMissing(ex))
        {
        }
        return null;
    }

    public async ValueTask<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var properties in Administration.GetQueuesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!properties.Name.StartsWith(_options.QueuePrefix, StringComparison.Ordinal)) continue;
            var queue = properties.Name[_options.QueuePrefix.Length..];
            if (queue.Length > 0) names.Add(queue);
        }
        return [.. names];
    }

    /// <summary>
    /// Every message of the queue that can be deleted: the deliveries this process holds are completed, everything
    /// available is received and completed until the queue answers empty, and scheduled (and deferred) messages found by
    /// browsing are cancelled (received). Azure.Messaging.ServiceBus 7.21 keeps its own purge internal. Messages locked
    /// by another process cannot be deleted by anyone but their holder: they are left to run or come back. Returns how
    /// many were deleted.
    /// </summary>
    public async ValueTask<long> PurgeAsync(string queue, CancellationToken cancellationToken)
    {
        var name = QueueName(queue);
        long removed = 0;
        foreach (var receipt in _locks.HeldIn(queue))
            if (await CompleteAsync(receipt, cancellationToken).ConfigureAwait(false)) removed++;

        var purger = _client.CreateReceiver(name, new ServiceBusReceiverOptions { PrefetchCount = 0 });
        await using (purger.ConfigureAwait(false))
        {
            try
            {
                while (true)
                {
                    var batch = await purger.ReceiveMessagesAsync(MaxReceiveBatch, _options.ReadyWait, cancellationToken).ConfigureAwait(false);
                    if (batch.Count == 0) break;
                    var completed = await Task.WhenAll(batch.Select(m => CompleteQuietlyAsync(purger, m, cancellationToken))).ConfigureAwait(false);
                    removed += completed.Count(ok => ok);
                }

                var scheduled = new List<long>();
                var deferred = new List<long>();
                await foreach (var message in PeekAllAsync(purger, cancellationToken).ConfigureAwait(false))
                {
                    if (message.State == ServiceBusMessageState.Scheduled) scheduled.Add(message.SequenceNumber);
                    else if (message.State == ServiceBusMessageState.Deferred) deferred.Add(message.SequenceNumber);
                }
                foreach (var chunk in scheduled.Chunk(CancelChunk))
                    await Sender(name).CancelScheduledMessagesAsync(chunk, cancellationToken).ConfigureAwait(false);
                removed += scheduled.Count;
                foreach (var chunk in deferred.Chunk(CancelChunk))
                {
                    var taken = await purger.ReceiveDeferredMessagesAsync(chunk, cancellationToken).ConfigureAwait(false);
                    var completed = await Task.WhenAll(taken.Select(m => CompleteQuietlyAsync(purger, m, cancellationToken))).ConfigureAwait(false);
                    removed += completed.Count(ok => ok);
                }
            }
            catch (ServiceBusException ex) when (IsMissing(ex))
            {
            }
        }
        return removed;
    }

    private async Task<bool> CompleteQuietlyAsync(ServiceBusReceiver receiver, ServiceBusReceivedMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await receiver.CompleteMessageAsync(message, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ServiceBusException ex) when (IsLockLost(ex))
        {
            return false;
        }
    }

    /// <summary>Every message of an entity, in sequence-number order, browsed page by page: no lock, no delivery counted.</summary>
    private static async IAsyncEnumerable<ServiceBusReceivedMessage> PeekAllAsync(ServiceBusReceiver receiver, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long from = 0;
        while (true)
        {
            var page = await receiver.PeekMessagesAsync(PeekPage, from, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0) yield break;
            foreach (var message in page) yield return message;
            from = page[^1].SequenceNumber + 1;
        }
    }

    /// <summary>
    /// Dead letters of every queue with the prefix (listing queues needs Manage rights), or of one, browsed with peek: no
    /// lock is taken and no delivery counted. Oldest first by the time of dead-lettering. A letter's id is
    /// <c>queue:sequence number</c>.
    /// </summary>
    public async ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? queue, int limit, CancellationToken cancellationToken)
    {
        var queues = queue is not null ? [queue] : await ListQueuesAsync(cancellationToken).ConfigureAwait(false);
        var letters = new List<(DeadLetter Letter, long Sequence)>();
        foreach (var source in queues)
        {
            var browser = DeadLetterReceiver(source);
            await using (browser.ConfigureAwait(false))
            {
                try
                {
                    await foreach (var message in PeekAllAsync(browser, cancellationToken).ConfigureAwait(false))
                        letters.Add((ToDeadLetter(source, message), message.SequenceNumber));
                }
                catch (ServiceBusException ex) when (IsMissing(ex))
                {
                }
            }
        }
        return [.. letters.OrderBy(l => l.Letter.DeadLetteredAt).ThenBy(l => l.Letter.Queue, StringComparer.Ordinal).ThenBy(l => l.Sequence).Select(l => l.Letter).Take(limit)];
    }

    private ServiceBusReceiver DeadLetterReceiver(string queue) =>
        _client.CreateReceiver(QueueName(queue), new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter, PrefetchCount = 0 });

    /// <summary>
    /// A letter Celeriac dead-lettered carries its time as a property and its reason as DeadLetterReason; one the service
    /// moved itself (past MaxDeliveryCount, an expired message) is shown with the service's reason and description.
    /// </summary>
    private static DeadLetter ToDeadLetter(string queue, ServiceBusReceivedMessage message)
    {
        var property = ServiceBusMessages.Properties(message);
        var ours = property(RemoteAttributes.DeadLetteredAt) is not null;
        var serviceReason = "dead-lettered by Service Bus: " + (string.IsNullOrEmpty(message.DeadLetterReason) ? "unknown reason" : message.DeadLetterReason)
                            + (string.IsNullOrEmpty(message.DeadLetterErrorDescription) ? "" : $" ({message.DeadLetterErrorDescription})");
        // The shared codec reads the time; the reason and source are Service Bus's own fields here.
        string? Attribute(string name) => name switch
        {
            RemoteAttributes.Reason => ours && !string.IsNullOrEmpty(message.DeadLetterReason) ? message.DeadLetterReason : null,
            RemoteAttributes.SourceQueue => queue,
            _ => property(name),
        };
        return RemoteAttributes.ReadDeadLetter(DeadLetterId(queue, message.SequenceNumber), ServiceBusMessages.Display(message), Attribute,
            ours ? "dead-lettered" : serviceReason, message.EnqueuedTime);
    }

    private static string DeadLetterId(string queue, long sequence) => queue + ":" + sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static bool TryParseDeadLetterId(string id, out string queue, out long sequence)
    {
        var colon = id.LastIndexOf(':');
        queue = colon > 0 ? id[..colon] : "";
        sequence = 0;
        return colon > 0 && long.TryParse(id.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sequence);
    }

    /// <summary>
    /// Deletes dead letters by id. A dead-letter queue can only be read in order: the letters ahead of the wanted ones are
    /// locked on the way and abandoned again at once (their delivery count rises by one; listing never changes it).
    /// </summary>
    public async ValueTask<int> DeleteDeadLettersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var byQueue = new Dictionary<string, HashSet<long>>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (!TryParseDeadLetterId(id, out var queue, out var sequence)) continue;
            if (!byQueue.TryGetValue(queue, out var set)) byQueue[queue] = set = [];
            set.Add(sequence);
        }
        var deleted = 0;
        foreach (var (queue, wanted) in byQueue)
        {
            var receiver = DeadLetterReceiver(queue);
            await using (receiver.ConfigureAwait(false))
            {
                var passed = new List<ServiceBusReceivedMessage>();
                try
                {
                    // Browsed first: only letters that are there are looked for (a stale id does not make the whole queue
                    // pass by), and no letter after the last wanted one is locked.
                    var present = new HashSet<long>();
                    var needed = 0;
                    var seen = 0;
                    await foreach (var message in PeekAllAsync(receiver, cancellationToken).ConfigureAwait(false))
                    {
                        seen++;
                        if (!wanted.Contains(message.SequenceNumber)) continue;
                        present.Add(message.SequenceNumber);
                        needed = seen;
                    }
                    var taken = 0;
                    while (present.Count > 0 && taken < needed)
                    {
                        var batch = await receiver.ReceiveMessagesAsync(Math.Min(MaxReceiveBatch, needed - taken), _options.ReadyWait, cancellationToken).ConfigureAwait(false);
                        if (batch.Count == 0) break;
                        taken += batch.Count;
                        foreach (var message in batch)
                        {
                            if (!present.Remove(message.SequenceNumber)) passed.Add(message);
                            else if (await CompleteQuietlyAsync(receiver, message, cancellationToken).ConfigureAwait(false)) deleted++;
                        }
                    }
                }
                catch (ServiceBusException ex) when (IsMissing(ex))
                {
                }
                finally
                {
                    foreach (var message in passed)
                    {
                        try { await receiver.AbandonMessageAsync(message, cancellationToken: CancellationToken.None).ConfigureAwait(false); }
                        catch (ServiceBusException ex) when (IsLockLost(ex)) { }
                    }
                }
            }
        }
        return deleted;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (_ownsLocks) await _locks.DisposeAsync().ConfigureAwait(false);
        foreach (var receiver in _receivers.Values.Where(r => r.IsValueCreated)) await receiver.Value.DisposeAsync().ConfigureAwait(false);
        foreach (var sender in _senders.Values.Where(s => s.IsValueCreated)) await sender.Value.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Safe to call more than once (a container may dispose it under each name it is registered as).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    [LoggerMessage(LogLevel.Information, "Created Service Bus queue {Name}")]
    private partial void LogCreated(string name);

    [LoggerMessage(LogLevel.Debug, "{Operation} on queue {Queue}: the lock was no longer held (it expired, or the message was settled); ignored")]
    private partial void LogStale(string operation, string queue);
}
