using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.Sqs.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Celeriac.Sqs;

/// <summary>
/// The Amazon SQS broker. One SQS queue per Celeriac queue (so per priority level); a lease is the visibility
/// timeout, extended by ChangeMessageVisibilityBatch; everything that can be batched is (send, receive up to 10,
/// delete, visibility). Delays up to SQS's 15 minutes are native; longer countdowns travel in hops: the message
/// carries its due time and is re-sent, delayed again, whenever it surfaces early, so it is never run early and a
/// hop never leaves two copies behind except when a crash falls between the re-send and the delete. Dead letters
/// go to Celeriac's own queue with the reason as a message attribute.
/// </summary>
public sealed partial class SqsBroker : IBroker, IBrokerAdmin, IDisposable
{
    internal const int MaxBatch = 10;
    internal const int MaxDelaySeconds = 900;
    internal const int MaxVisibilitySeconds = 43_200;
    private static readonly string[] DepthAttributes = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"];

    private readonly ISqsClient _client;
    private readonly SqsBrokerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SqsBroker> _logger;
    private readonly IDisposable? _ownedClient;
    private readonly ConcurrentDictionary<string, Task> _created = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _emptyUntil = new(StringComparer.Ordinal);
    // The latest receipt this instance got for each message it holds: an older receipt of the same message is stale
    // and ignored here, whatever the service would do with it (SQS rejects most stale receipts; emulators may not).
    private readonly ConcurrentDictionary<string, string> _latestReceipt = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _visibilityChanges = new(StringComparer.Ordinal);
    private int _longPollTurn;

    public SqsBroker(ISqsClient client, SqsBrokerOptions options, TimeProvider? timeProvider = null, ILogger<SqsBroker>? logger = null, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.QueueUrlPrefix) && options.QueueUrls.Count == 0)
            throw new ArgumentException("Set Celeriac:Broker:Sqs:QueueUrlPrefix (or QueueUrls per queue).", nameof(options));
        if (options.LongPollSeconds is < 0 or > 20) throw new ArgumentOutOfRangeException(nameof(options), "LongPollSeconds must be between 0 and 20.");
        _client = client;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<SqsBroker>.Instance;
        _ownedClient = ownsClient ? client as IDisposable : null;
    }

    public void Dispose() => _ownedClient?.Dispose();

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The URL of a Celeriac queue: from the explicit map, else prefix + name.</summary>
    public string QueueUrl(string queue)
    {
        if (_options.QueueUrls.TryGetValue(queue, out var url)) return url;
        if (string.IsNullOrWhiteSpace(_options.QueueUrlPrefix)) throw new InvalidOperationException($"Queue '{queue}' has no URL: add it to Celeriac:Broker:Sqs:QueueUrls or set QueueUrlPrefix.");
        return _options.QueueUrlPrefix + queue;
    }

    private string DeadLetterUrl => QueueUrl(_options.DeadLetterQueue);

    private static bool IsFifo(string url) => url.EndsWith(".fifo", StringComparison.Ordinal);

    public async ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return;
        var now = NowMs;
        // Everything is checked before anything is sent, so an oversized message fails the call and not half a batch.
        var byQueue = new List<(string Queue, string Url, List<(SqsSendEntry Entry, int Size)> Entries)>();
        foreach (var message in messages)
        {
            ArgumentException.ThrowIfNullOrEmpty(message.Queue, nameof(messages));
            var url = QueueUrl(message.Queue);
            var group = byQueue.FindIndex(g => g.Url == url);
            if (group < 0)
            {
                byQueue.Add((message.Queue, url, []));
                group = byQueue.Count - 1;
            }
            var entries = byQueue[group].Entries;
            var due = message.NotBefore?.ToUnixTimeMilliseconds() ?? 0;
            var entry = CreateEntry(url, message.Body.Span, due, now, entries.Count.ToString(CultureInfo.InvariantCulture), null);
            var size = EntrySize(entry);
            if (size > _options.MaxMessageBytes) throw new SqsMessageTooLargeException(message.Queue, size, _options.MaxMessageBytes);
            entries.Add((entry, size));
        }
        foreach (var (queue, url, entries) in byQueue)
        {
            await EnsureQueueAsync(url, cancellationToken).ConfigureAwait(false);
            await SendEntriesAsync(url, entries, cancellationToken).ConfigureAwait(false);
            _emptyUntil.TryRemove(url, out _);
        }
    }

    /// <summary>An SQS entry for a body due at <paramref name="dueMs"/> (0: now). Ids are given later per batch.</summary>
    private SqsSendEntry CreateEntry(string url, ReadOnlySpan<byte> body, long dueMs, long nowMs, string id, IReadOnlyDictionary<string, string>? extra)
    {
        var (text, base64) = SqsBody.Encode(body);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (base64) attributes[SqsAttributes.Encoding] = "base64";
        if (extra is not null)
            foreach (var (k, v) in extra) attributes[k] = v;
        int? delay = null;
        var fifo = IsFifo(url);
        if (dueMs > nowMs)
        {
            var seconds = (long)Math.Ceiling((dueMs - nowMs) / 1000.0);
            // FIFO queues take no per-message delay: the due time alone holds the message back (see HoldAsync).
            if (fifo || seconds > MaxDelaySeconds) attributes[SqsAttributes.NotBefore] = dueMs.ToString(CultureInfo.InvariantCulture);
            if (!fifo) delay = (int)Math.Min(seconds, MaxDelaySeconds);
        }
        string? groupId = null, dedupId = null;
        if (fifo) (groupId, dedupId) = FifoIds(body, dueMs);
        return new SqsSendEntry(id, text)
        {
            DelaySeconds = delay,
            StringAttributes = attributes.Count > 0 ? attributes : null,
            MessageGroupId = groupId,
            MessageDeduplicationId = dedupId,
        };
    }

    /// <summary>Group from the envelope header named by the options; deduplication by task id and attempt (a retry is not a duplicate), else by content.</summary>
    private (string Group, string Dedup) FifoIds(ReadOnlySpan<byte> body, long dueMs)
    {
        try
        {
            var envelope = EnvelopeSerializer.Deserialize(body);
            var group = envelope.GetHeader(_options.MessageGroupHeader);
            return (string.IsNullOrEmpty(group) ? _options.DefaultMessageGroupId : group, Truncate($"{envelope.Id}:{envelope.Attempt}", 128));
        }
        catch (InvalidEnvelopeException)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(body));
            return (_options.DefaultMessageGroupId, dueMs > 0 ? Truncate($"{hash}:{dueMs}", 128) : hash);
        }
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    private static int EntrySize(SqsSendEntry entry)
    {
        var size = System.Text.Encoding.UTF8.GetByteCount(entry.Body);
        if (entry.StringAttributes is not null)
            foreach (var (k, v) in entry.StringAttributes) size += System.Text.Encoding.UTF8.GetByteCount(k) + System.Text.Encoding.UTF8.GetByteCount(v) + "String".Length;
        return size;
    }

    /// <summary>Sends in batches of at most 10 entries and the size limit; entries that failed on the service's side are retried.</summary>
    private async Task SendEntriesAsync(string url, List<(SqsSendEntry Entry, int Size)> entries, CancellationToken cancellationToken)
    {
        var start = 0;
        while (start < entries.Count)
        {
            var batch = new List<SqsSendEntry>(MaxBatch);
            var bytes = 0;
            while (start < entries.Count && batch.Count < MaxBatch && (batch.Count == 0 || bytes + entries[start].Size <= _options.MaxMessageBytes))
            {
                bytes += entries[start].Size;
                batch.Add(entries[start].Entry with { Id = batch.Count.ToString(CultureInfo.InvariantCulture) });
                start++;
            }
            for (var attempt = 0; ; attempt++)
            {
                var result = await _client.SendMessageBatchAsync(url, batch, cancellationToken).ConfigureAwait(false);
                if (result.Failed.Count == 0) break;
                var fatal = result.Failed.FirstOrDefault(f => f.SenderFault);
                if (fatal is not null || attempt >= _options.MaxRetries)
                {
                    var failure = fatal ?? result.Failed[0];
                    throw new SqsException("SendMessageBatch", null, failure.Code, $"{result.Failed.Count} of {batch.Count} messages were not sent: {failure.Message}");
                }
                var failed = result.Failed.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
                batch = [.. batch.Where(e => failed.Contains(e.Id))];
                await Task.Delay(TimeSpan.FromMilliseconds(100 << Math.Min(attempt, 6)), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task EnsureQueueAsync(string url, CancellationToken cancellationToken)
    {
        if (!_options.AutoCreateQueues) return;
        // Shared by every caller that needs the queue, so no caller's cancellation may cancel it; a failure is not kept.
        var task = _created.GetOrAdd(url, u => CreateQueueAsync(u, CancellationToken.None));
        try
        {
            await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (task.IsFaulted)
        {
            _created.TryRemove(new KeyValuePair<string, Task>(url, task));
            throw;
        }
    }

    private async Task CreateQueueAsync(string url, CancellationToken cancellationToken)
    {
        var name = url[(url.LastIndexOf('/') + 1)..];
        Dictionary<string, string>? attributes = IsFifo(url) ? new() { ["FifoQueue"] = "true" } : null;
        await _client.CreateQueueAsync(name, attributes, cancellationToken).ConfigureAwait(false);
        LogCreated(name);
    }

    public async ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessages);
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), "A lease must be positive.");
        cancellationToken.ThrowIfCancellationRequested();
        if (queues.Count == 0) return [];
        var visibility = Seconds(lease, 1, MaxVisibilitySeconds);
        var urls = queues.Select(QueueUrl).ToList();
        var received = new List<BrokerMessage>();

        await ShortPassAsync(queues, urls, 0, maxMessages, visibility, received, honourBackoff: true, cancellationToken).ConfigureAwait(false);
        if (received.Count > 0 || wait <= TimeSpan.Zero) return received;

        var started = _time.GetTimestamp();
        while (true)
        {
            var remaining = wait - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero) return received;
            // SQS waits in whole seconds: a wait with a fraction left is rounded up rather than slept out, so a
            // message that arrives meanwhile is returned at once.
            var seconds = (int)Math.Min(_options.LongPollSeconds, Math.Ceiling(remaining.TotalSeconds));
            if (queues.Count > 1) seconds = Math.Min(seconds, Math.Max(1, _options.MultiQueuePollSeconds));
            if (seconds < 1)
            {
                await Task.Delay(remaining, _time, cancellationToken).ConfigureAwait(false);
                await ShortPassAsync(queues, urls, 0, maxMessages, visibility, received, honourBackoff: false, cancellationToken).ConfigureAwait(false);
                return received;
            }
            // One message is enough to end the wait: SQS would return early anyway, and emulators that wait for a
            // full batch return at once too. The rest of the free slots are filled right after.
            var turn = queues.Count == 1 ? 0 : (int)((uint)Interlocked.Increment(ref _longPollTurn) % (uint)queues.Count);
            await ReceiveFromAsync(queues[turn], urls[turn], 1, visibility, seconds, received, cancellationToken).ConfigureAwait(false);
            if (received.Count > 0 || queues.Count > 1)
                await ShortPassAsync(queues, urls, 0, maxMessages, visibility, received, honourBackoff: received.Count == 0, cancellationToken).ConfigureAwait(false);
            if (received.Count > 0) return received;
        }
    }

    /// <summary>
    /// Takes ready messages queue by queue in the order given. Many free slots are filled by full batches of 10 asked
    /// in parallel; a queue is asked again only for full batches, so a busy queue costs one request per 10 messages.
    /// </summary>
    private async Task ShortPassAsync(IReadOnlyList<string> queues, List<string> urls, int from, int maxMessages, int visibility, List<BrokerMessage> received, bool honourBackoff, CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        for (var i = from; i < queues.Count && received.Count < maxMessages; i++)
        {
            if (honourBackoff && _emptyUntil.TryGetValue(urls[i], out var until) && now < until) continue;
            var first = true;
            while (received.Count < maxMessages)
            {
                var remaining = maxMessages - received.Count;
                if (!first && remaining < MaxBatch) break;
                first = false;
                var requests = remaining < MaxBatch ? 1 : Math.Min(remaining / MaxBatch, Math.Max(1, _options.MaxParallelReceives));
                var want = remaining < MaxBatch ? remaining : MaxBatch;
                var batches = new List<BrokerMessage>[requests];
                var counts = new Task<int>[requests];
                for (var r = 0; r < requests; r++)
                {
                    batches[r] = [];
                    counts[r] = ReceiveFromAsync(queues[i], urls[i], want, visibility, 0, batches[r], cancellationToken);
                }
                var got = await Task.WhenAll(counts).ConfigureAwait(false);
                foreach (var batch in batches) received.AddRange(batch);
                if (got.Sum() == 0) _emptyUntil[urls[i]] = _time.GetTimestamp() + (long)(_options.EmptyQueueBackoff.TotalSeconds * _time.TimestampFrequency);
                if (got.Any(n => n < want)) break;
            }
        }
    }

    /// <summary>One ReceiveMessage; returns how many messages SQS handed out (messages not yet due are held back and not added).</summary>
    private async Task<int> ReceiveFromAsync(string queue, string url, int max, int visibility, int waitSeconds, List<BrokerMessage> received, CancellationToken cancellationToken)
    {
        IReadOnlyList<SqsMessage> messages;
        try
        {
            messages = await _client.ReceiveMessageAsync(new SqsReceiveRequest(url, max, visibility, waitSeconds), cancellationToken).ConfigureAwait(false);
        }
        catch (SqsException ex) when (ex.IsQueueMissing)
        {
            if (!_options.AutoCreateQueues) throw;
            await EnsureQueueAsync(url, cancellationToken).ConfigureAwait(false);
            messages = await _client.ReceiveMessageAsync(new SqsReceiveRequest(url, max, visibility, waitSeconds), cancellationToken).ConfigureAwait(false);
        }
        if (messages.Count == 0) return 0;
        _emptyUntil.TryRemove(url, out _);
        var now = NowMs;
        List<SqsMessage>? early = null;
        foreach (var message in messages)
        {
            if (message.StringAttributes.TryGetValue(SqsAttributes.NotBefore, out var due)
                && long.TryParse(due, NumberStyles.Integer, CultureInfo.InvariantCulture, out var dueMs) && dueMs > now)
            {
                (early ??= []).Add(message);
                continue;
            }
            received.Add(ToBrokerMessage(queue, url, message));
            _latestReceipt[message.MessageId] = message.ReceiptHandle;
        }
        if (early is not null) await HoldAsync(url, early, now, cancellationToken).ConfigureAwait(false);
        return messages.Count;
    }

    private BrokerMessage ToBrokerMessage(string queue, string url, SqsMessage message)
    {
        var count = message.ApproximateReceiveCount;
        if (_options.VisibilityChangeCountsAsReceive && _visibilityChanges.TryRemove(message.MessageId, out var changes)) count -= changes;
        if (message.StringAttributes.TryGetValue(SqsAttributes.Deliveries, out var before) && int.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var earlier))
            count += earlier;
        return new BrokerMessage
        {
            Queue = queue,
            Body = SqsBody.Decode(message.Body, message.StringAttributes.TryGetValue(SqsAttributes.Encoding, out var e) && e == "base64"),
            Receipt = message.ReceiptHandle,
            DeliveryCount = Math.Max(1, count),
            BrokerState = new SqsReceipt(url, message.ReceiptHandle, message.MessageId),
        };
    }

    /// <summary>False for a receipt that a later receive of the same message by this instance replaced.</summary>
    private bool IsCurrent(SqsReceipt receipt) =>
        receipt.MessageId.Length == 0 || !_latestReceipt.TryGetValue(receipt.MessageId, out var latest) || latest == receipt.ReceiptHandle;

    /// <summary>This instance is done with the delivery: forget its receipt.</summary>
    private void Forget(SqsReceipt receipt)
    {
        if (receipt.MessageId.Length == 0) return;
        _latestReceipt.TryRemove(new KeyValuePair<string, string>(receipt.MessageId, receipt.ReceiptHandle));
    }

    private void CountVisibilityChange(SqsReceipt receipt)
    {
        if (_options.VisibilityChangeCountsAsReceive && receipt.MessageId.Length > 0) _visibilityChanges.AddOrUpdate(receipt.MessageId, 1, (_, n) => n + 1);
    }

    /// <summary>
    /// Messages that surfaced before their due time. On a standard queue: re-sent with the remaining delay (up to 15
    /// minutes), then deleted — the re-send first, so a crash in between can duplicate a hop but never lose the task.
    /// On a FIFO queue (no per-message delays): hidden again by their visibility, up to 12 hours, holding their group.
    /// </summary>
    private async Task HoldAsync(string url, List<SqsMessage> early, long now, CancellationToken cancellationToken)
    {
        if (IsFifo(url))
        {
            foreach (var chunk in early.Chunk(MaxBatch))
            {
                var entries = chunk.Select((m, i) => new SqsVisibilityEntry(i.ToString(CultureInfo.InvariantCulture), m.ReceiptHandle,
                    (int)Math.Clamp((long.Parse(m.StringAttributes[SqsAttributes.NotBefore], CultureInfo.InvariantCulture) - now + 999) / 1000, 1, MaxVisibilitySeconds))).ToList();
                await _client.ChangeMessageVisibilityBatchAsync(url, entries, cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        var hops = new List<(SqsSendEntry, int)>(early.Count);
        foreach (var message in early)
        {
            var due = long.Parse(message.StringAttributes[SqsAttributes.NotBefore], CultureInfo.InvariantCulture);
            var extra = message.StringAttributes.Where(a => a.Key is not SqsAttributes.NotBefore and not SqsAttributes.Encoding).ToDictionary(StringComparer.Ordinal);
            var body = SqsBody.Decode(message.Body, message.StringAttributes.TryGetValue(SqsAttributes.Encoding, out var e) && e == "base64");
            var entry = CreateEntry(url, body, due, now, "0", extra);
            hops.Add((entry, EntrySize(entry)));
        }
        await SendEntriesAsync(url, hops, cancellationToken).ConfigureAwait(false);
        await DeleteAsync(url, [.. early.Select(m => m.ReceiptHandle)], cancellationToken).ConfigureAwait(false);
        LogHopped(early.Count, url);
    }

    public async ValueTask AckAsync(IReadOnlyList<BrokerMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var current = messages.Select(Receipt).Where(IsCurrent).ToList();
        try
        {
            foreach (var group in current.GroupBy(r => r.QueueUrl, StringComparer.Ordinal))
                await DeleteAsync(group.Key, [.. group.Select(r => r.ReceiptHandle)], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Whether or not the delete went through, this process is done with these deliveries.
            foreach (var receipt in current)
            {
                Forget(receipt);
                _visibilityChanges.TryRemove(receipt.MessageId, out _);
            }
        }
    }

    private async Task DeleteAsync(string url, List<string> receipts, CancellationToken cancellationToken)
    {
        foreach (var chunk in receipts.Chunk(MaxBatch))
        {
            var entries = chunk.Select((r, i) => new SqsReceiptEntry(i.ToString(CultureInfo.InvariantCulture), r)).ToList();
            var result = await _client.DeleteMessageBatchAsync(url, entries, cancellationToken).ConfigureAwait(false);
            LogFailures("DeleteMessageBatch", result);
        }
    }

    public async ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var seconds = Seconds(lease, 1, MaxVisibilitySeconds);
        foreach (var group in messages.Select(Receipt).Where(IsCurrent).GroupBy(r => r.QueueUrl, StringComparer.Ordinal))
        {
            foreach (var receipt in group) CountVisibilityChange(receipt);
            foreach (var chunk in group.Chunk(MaxBatch))
            {
                var entries = chunk.Select((r, i) => new SqsVisibilityEntry(i.ToString(CultureInfo.InvariantCulture), r.ReceiptHandle, seconds)).ToList();
                var result = await _client.ChangeMessageVisibilityBatchAsync(group.Key, entries, cancellationToken).ConfigureAwait(false);
                LogFailures("ChangeMessageVisibilityBatch", result);
            }
        }
    }

    /// <summary>
    /// On a standard queue the message is re-sent with the delay and a count of its deliveries, then deleted: so it
    /// counts as delayed, not in flight, while it waits. On a FIFO queue (no per-message delays, order matters) its
    /// visibility is changed instead.
    /// </summary>
    public async ValueTask ReleaseAsync(BrokerMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var receipt = Receipt(message);
        if (!IsCurrent(receipt)) return;
        if (IsFifo(receipt.QueueUrl))
        {
            await TryChangeVisibilityAsync(receipt, Seconds(delay, 0, MaxVisibilitySeconds), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Only the current holder may release: a stale receipt fails here, before a copy is made.
            if (!await TryChangeVisibilityAsync(receipt, 120, cancellationToken).ConfigureAwait(false)) return;
            var now = NowMs;
            var due = delay > TimeSpan.Zero ? now + (long)Math.Ceiling(delay.TotalMilliseconds) : 0;
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { [SqsAttributes.Deliveries] = message.DeliveryCount.ToString(CultureInfo.InvariantCulture) };
            var entry = CreateEntry(receipt.QueueUrl, message.Body.Span, due, now, "0", attributes);
            await SendEntriesAsync(receipt.QueueUrl, [(entry, EntrySize(entry))], cancellationToken).ConfigureAwait(false);
            await DeleteAsync(receipt.QueueUrl, [receipt.ReceiptHandle], cancellationToken).ConfigureAwait(false);
        }
        Forget(receipt);
        _visibilityChanges.TryRemove(receipt.MessageId, out _);
        if (delay <= TimeSpan.Zero) _emptyUntil.TryRemove(receipt.QueueUrl, out _);
    }

    /// <summary>Changes the visibility of one delivery; false when the receipt no longer holds the message.</summary>
    private async Task<bool> TryChangeVisibilityAsync(SqsReceipt receipt, int seconds, CancellationToken cancellationToken)
    {
        try
        {
            CountVisibilityChange(receipt);
            await _client.ChangeMessageVisibilityAsync(receipt.QueueUrl, receipt.ReceiptHandle, seconds, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SqsException ex) when (SqsErrorCodes.IsStaleReceipt(ex.ErrorCode))
        {
            return false;
        }
    }

    public async ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reason);
        var receipt = Receipt(message);
        if (!IsCurrent(receipt)) return;
        // Only the current holder may dead-letter: a stale receipt fails here, before a copy is made.
        if (!await TryChangeVisibilityAsync(receipt, 120, cancellationToken).ConfigureAwait(false)) return;
        var url = DeadLetterUrl;
        await EnsureQueueAsync(url, cancellationToken).ConfigureAwait(false);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SqsAttributes.Reason] = Truncate(reason.Length == 0 ? "dead-lettered" : reason, 4096),
            [SqsAttributes.SourceQueue] = message.Queue,
            [SqsAttributes.DeadLetteredAt] = NowMs.ToString(CultureInfo.InvariantCulture),
        };
        var entry = CreateEntry(url, message.Body.Span, 0, 0, "0", attributes);
        await SendEntriesAsync(url, [(entry, EntrySize(entry))], cancellationToken).ConfigureAwait(false);
        await DeleteAsync(receipt.QueueUrl, [receipt.ReceiptHandle], cancellationToken).ConfigureAwait(false);
        Forget(receipt);
        _visibilityChanges.TryRemove(receipt.MessageId, out _);
    }

    private SqsReceipt Receipt(BrokerMessage message) =>
        message.BrokerState as SqsReceipt ?? new SqsReceipt(QueueUrl(message.Queue), message.Receipt, "");

    public async ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, string> attributes;
        try
        {
            attributes = await _client.GetQueueAttributesAsync(QueueUrl(queue), DepthAttributes, cancellationToken).ConfigureAwait(false);
        }
        catch (SqsException ex) when (ex.IsQueueMissing)
        {
            return default;
        }
        var ready = Number(attributes, DepthAttributes[0]);
        var inFlight = Number(attributes, DepthAttributes[1]);
        var delayed = Number(attributes, DepthAttributes[2]);
        if (_options.ReadyCountIncludesInFlight) ready = Math.Max(0, ready - inFlight);
        return new QueueDepth(ready, inFlight, delayed);
    }

    private static long Number(IReadOnlyDictionary<string, string> attributes, string name) =>
        attributes.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    public async ValueTask<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(_options.QueueUrls.Keys.Where(k => k != _options.DeadLetterQueue), StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(_options.QueueUrlPrefix))
        {
            var namePrefix = _options.QueueUrlPrefix[(_options.QueueUrlPrefix.LastIndexOf('/') + 1)..];
            foreach (var url in await _client.ListQueuesAsync(namePrefix, cancellationToken).ConfigureAwait(false))
            {
                var name = url[(url.LastIndexOf('/') + 1)..];
                if (!name.StartsWith(namePrefix, StringComparison.Ordinal)) continue;
                var queue = name[namePrefix.Length..];
                if (queue.Length > 0 && queue != _options.DeadLetterQueue) names.Add(queue);
            }
        }
        return [.. names];
    }

    /// <summary>SQS's PurgeQueue: every message goes, ready, delayed and in flight, within SQS's purge time (up to 60 s). Returns the count before.</summary>
    public async ValueTask<long> PurgeAsync(string queue, CancellationToken cancellationToken)
    {
        var depth = await GetDepthAsync(queue, cancellationToken).ConfigureAwait(false);
        if (depth.Total == 0) return 0;
        try
        {
            await _client.PurgeQueueAsync(QueueUrl(queue), cancellationToken).ConfigureAwait(false);
        }
        catch (SqsException ex) when (ex.ErrorCode.Contains(SqsErrorCodes.PurgeQueueInProgress, StringComparison.Ordinal))
        {
            // A purge running already removes these too.
        }
        return depth.Total;
    }

    public async ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? queue, int limit, CancellationToken cancellationToken)
    {
        var letters = await ScanDeadLettersAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return [.. letters.Select(l => l.Letter).Where(d => queue is null || d.Queue == queue).Take(limit)];
        }
        finally
        {
            await RestoreAsync(letters.Select(l => l.Receipt), cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<int> DeleteDeadLettersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var letters = await ScanDeadLettersAsync(cancellationToken).ConfigureAwait(false);
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        var chosen = letters.Where(l => wanted.Contains(l.Letter.Id)).ToList();
        try
        {
            if (chosen.Count > 0) await DeleteAsync(DeadLetterUrl, [.. chosen.Select(l => l.Receipt)], cancellationToken).ConfigureAwait(false);
            return chosen.Count;
        }
        finally
        {
            await RestoreAsync(letters.Where(l => !wanted.Contains(l.Letter.Id)).Select(l => l.Receipt), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// SQS cannot peek: the dead-letter queue is read by receiving everything with a short visibility, oldest first
    /// by the time of dead-lettering. Callers make the messages visible again (<see cref="RestoreAsync"/>).
    /// </summary>
    private async Task<List<(DeadLetter Letter, string Receipt)>> ScanDeadLettersAsync(CancellationToken cancellationToken)
    {
        var url = DeadLetterUrl;
        var seen = new Dictionary<string, (DeadLetter, string)>(StringComparer.Ordinal);
        while (true)
        {
            IReadOnlyList<SqsMessage> batch;
            try
            {
                batch = await _client.ReceiveMessageAsync(new SqsReceiveRequest(url, MaxBatch, 30, 0), cancellationToken).ConfigureAwait(false);
            }
            catch (SqsException ex) when (ex.IsQueueMissing)
            {
                break;
            }
            if (batch.Count == 0) break;
            foreach (var m in batch)
            {
                var at = m.StringAttributes.TryGetValue(SqsAttributes.DeadLetteredAt, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
                    ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : m.SentTimestamp ?? DateTimeOffset.MinValue;
                var letter = new DeadLetter(m.MessageId,
                    m.StringAttributes.GetValueOrDefault(SqsAttributes.SourceQueue, ""),
                    SqsBody.Decode(m.Body, m.StringAttributes.TryGetValue(SqsAttributes.Encoding, out var e) && e == "base64"),
                    m.StringAttributes.GetValueOrDefault(SqsAttributes.Reason, "dead-lettered by SQS redrive"),
                    at);
                seen[m.MessageId] = (letter, m.ReceiptHandle);
            }
        }
        return [.. seen.Values.OrderBy(l => l.Item1.DeadLetteredAt).ThenBy(l => l.Item1.Id, StringComparer.Ordinal)];
    }

    private async Task RestoreAsync(IEnumerable<string> receipts, CancellationToken cancellationToken)
    {
        foreach (var chunk in receipts.Chunk(MaxBatch))
        {
            var entries = chunk.Select((r, i) => new SqsVisibilityEntry(i.ToString(CultureInfo.InvariantCulture), r, 0)).ToList();
            await _client.ChangeMessageVisibilityBatchAsync(DeadLetterUrl, entries, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static int Seconds(TimeSpan span, int min, int max) => (int)Math.Clamp(Math.Ceiling(span.TotalSeconds), min, max);

    private void LogFailures(string action, SqsBatchResult result)
    {
        foreach (var failure in result.Failed)
        {
            if (SqsErrorCodes.IsStaleReceipt(failure.Code)) LogStale(action);
            else LogEntryFailed(action, failure.Code, failure.Message);
        }
    }

    [LoggerMessage(LogLevel.Information, "Created SQS queue {Name}")]
    private partial void LogCreated(string name);

    [LoggerMessage(LogLevel.Debug, "Re-delayed {Count} messages of {Url} that are not due yet")]
    private partial void LogHopped(int count, string url);

    [LoggerMessage(LogLevel.Debug, "{Action}: a receipt no longer held its message (received again or settled); ignored")]
    private partial void LogStale(string action);

    [LoggerMessage(LogLevel.Warning, "{Action}: an entry failed with {Code}: {Message}; the message returns when its visibility times out")]
    private partial void LogEntryFailed(string action, string code, string? message);
}
