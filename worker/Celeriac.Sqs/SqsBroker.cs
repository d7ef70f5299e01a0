using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Celeriac.Brokers;
using Celeriac.Brokers.Remote;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Celeriac.Sqs;

/// <summary>
/// The Amazon SQS broker, on the AWS SDK's <see cref="IAmazonSQS"/>. One SQS queue per Celeriac queue (so per priority
/// level); a lease is the visibility timeout, extended by ChangeMessageVisibilityBatch; everything that can be batched
/// is (send, receive up to 10, delete, visibility). Delays up to SQS's 15 minutes are native; longer countdowns travel
/// in hops: the message carries its due time and is re-sent, delayed again, whenever it surfaces early, so it is never
/// run early and a hop never leaves two copies behind except when a crash falls between the re-send and the delete.
/// SQS has no dead-letter operation: dead letters are copies in Celeriac's own queue (<see cref="CopyDeadLetterQueue"/>).
/// </summary>
public sealed partial class SqsBroker : IBroker, IBrokerAdmin, IDeadLetterCopyTransport
{
    internal const int MaxBatch = 10;
    internal const int MaxDelaySeconds = 900;
    internal const int MaxVisibilitySeconds = 43_200;
    /// <summary>How long a delivery is hidden while it is copied (a release's delayed copy, a dead letter).</summary>
    private const int TakeOverSeconds = 120;
    private const string ApproximateNumberOfMessages = "ApproximateNumberOfMessages";
    private const string ApproximateNumberOfMessagesNotVisible = "ApproximateNumberOfMessagesNotVisible";
    private const string ApproximateNumberOfMessagesDelayed = "ApproximateNumberOfMessagesDelayed";
    private static readonly List<string> DepthAttributes = [ApproximateNumberOfMessages, ApproximateNumberOfMessagesNotVisible, ApproximateNumberOfMessagesDelayed];
    private static readonly List<string> SystemAttributes = [nameof(MessageSystemAttributeName.ApproximateReceiveCount), nameof(MessageSystemAttributeName.SentTimestamp)];

    private readonly IAmazonSQS _sqs;
    private readonly SqsBrokerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SqsBroker> _logger;
    private readonly ReceiveLoop _receiveLoop;
    private readonly QueueCreator _queues;
    private readonly CopyDeadLetterQueue _deadLetters;
    // The latest receipt this instance got for each message it holds: an older receipt of the same message is stale
    // and ignored here, whatever the service would do with it (SQS rejects most stale receipts; emulators may not).
    private readonly ConcurrentDictionary<string, string> _latestReceipt = new(StringComparer.Ordinal);

    public SqsBroker(IAmazonSQS sqs, SqsBrokerOptions options, TimeProvider? timeProvider = null, ILogger<SqsBroker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(sqs);
        ArgumentNullException.ThrowIfNull(options);
        SqsBrokerOptionsValidator.Instance.ThrowIfInvalid(options);
        _sqs = sqs;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<SqsBroker>.Instance;
        _receiveLoop = new ReceiveLoop(options, _time);
        _queues = new QueueCreator(CreateQueueAsync);
        _deadLetters = new CopyDeadLetterQueue(this, options.DeadLetterQueue, _time);
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The URL of a Celeriac queue: from the explicit map, else prefix + name.</summary>
    public string QueueUrl(string queue)
    {
        if (_options.QueueUrls.TryGetValue(queue, out var url)) return url;
        if (string.IsNullOrWhiteSpace(_options.QueueUrlPrefix))
            throw new InvalidOperationException($"Queue '{queue}' has no URL: add it to {SqsBrokerOptions.Section}:QueueUrls or set QueueUrlPrefix.");
        return _options.QueueUrlPrefix + queue;
    }

    // ---- sending ----

    private readonly record struct PendingSend(SendMessageBatchRequestEntry Entry, int Size);

    public async ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return;
        var now = NowMs;
        // Everything is checked before anything is sent, so an oversized message fails the call and not half a batch.
        var byUrl = new Dictionary<string, (string Queue, List<PendingSend> Entries)>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            ArgumentException.ThrowIfNullOrEmpty(message.Queue, nameof(messages));
            var url = QueueUrl(message.Queue);
            if (!byUrl.TryGetValue(url, out var group)) byUrl[url] = group = (message.Queue, []);
            var groupId = message.Headers is not null && message.Headers.TryGetValue(_options.MessageGroupHeader, out var g) ? g : null;
            var entry = CreateEntry(url, message.Body.Span, message.NotBefore?.ToUnixTimeMilliseconds() ?? 0, now, message.MessageId, groupId, null);
            if (entry.Size > _options.MaxMessageBytes) throw new MessageTooLargeException(message.Queue, entry.Size, _options.MaxMessageBytes);
            group.Entries.Add(entry);
        }
        foreach (var (url, (_, entries)) in byUrl)
        {
            await EnsureQueueAsync(url, cancellationToken).ConfigureAwait(false);
            await SendEntriesAsync(url, entries, cancellationToken).ConfigureAwait(false);
            _receiveLoop.MarkReady(url);
        }
    }

    /// <summary>An SQS entry for a body due at <paramref name="dueMs"/> (0: now). Batch ids are given when batches are formed.</summary>
    private PendingSend CreateEntry(string url, ReadOnlySpan<byte> body, long dueMs, long nowMs, string? messageId, string? groupId, IReadOnlyDictionary<string, string>? extra)
    {
        var (text, base64) = TextBody.Encode(body);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (base64) attributes[RemoteAttributes.Encoding] = TextBody.Base64;
        if (extra is not null)
            foreach (var (k, v) in extra) attributes[k] = v;
        int? delay = null;
        var fifo = SqsQueueUrls.IsFifo(url);
        if (dueMs > nowMs)
        {
            var seconds = (long)Math.Ceiling((dueMs - nowMs) / 1000.0);
            // FIFO queues take no per-message delay: the due time alone holds the message back (see HoldAsync).
            if (fifo || seconds > MaxDelaySeconds) attributes[RemoteAttributes.NotBefore] = dueMs.ToString(CultureInfo.InvariantCulture);
            if (!fifo) delay = (int)Math.Min(seconds, MaxDelaySeconds);
        }
        var entry = new SendMessageBatchRequestEntry
        {
            MessageBody = text,
            DelaySeconds = delay,
            MessageAttributes = attributes.Count == 0 ? null : attributes.ToDictionary(a => a.Key, a => new MessageAttributeValue { DataType = "String", StringValue = a.Value }, StringComparer.Ordinal),
        };
        if (fifo)
        {
            entry.MessageGroupId = string.IsNullOrEmpty(groupId) ? _options.DefaultMessageGroupId : groupId;
            // A retry has its own message id (task id and attempt), so it is not a duplicate; a raw body is deduplicated by content.
            entry.MessageDeduplicationId = Truncate(messageId ?? (Convert.ToHexStringLower(SHA256.HashData(body)) + (dueMs > 0 ? ":" + dueMs.ToString(CultureInfo.InvariantCulture) : "")), 128);
        }
        return new PendingSend(entry, Size(text, attributes));
    }

    /// <summary>A message's size as SQS counts it: the body and each attribute's name, type and value.</summary>
    private static int Size(string body, Dictionary<string, string> attributes)
    {
        var size = System.Text.Encoding.UTF8.GetByteCount(body);
        foreach (var (k, v) in attributes) size += System.Text.Encoding.UTF8.GetByteCount(k) + System.Text.Encoding.UTF8.GetByteCount(v) + "String".Length;
        return size;
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    /// <summary>Sends in batches within SQS's count and size limits; entries that failed on the service's side are retried, a sender fault is thrown.</summary>
    private async Task SendEntriesAsync(string url, List<PendingSend> entries, CancellationToken cancellationToken)
    {
        foreach (var batch in SendBatches.Split(entries, e => e.Size, MaxBatch, _options.MaxMessageBytes))
        {
            var pending = new List<SendMessageBatchRequestEntry>(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Entry.Id = i.ToString(CultureInfo.InvariantCulture);
                pending.Add(batch[i].Entry);
            }
            for (var attempt = 0; ; attempt++)
            {
                var response = await _sqs.SendMessageBatchAsync(new SendMessageBatchRequest { QueueUrl = url, Entries = pending }, cancellationToken).ConfigureAwait(false);
                var failed = response.Failed ?? [];
                if (failed.Count == 0) break;
                var fatal = failed.FirstOrDefault(f => f.SenderFault == true);
                if (fatal is not null || attempt >= _options.MaxRetries)
                {
                    var failure = fatal ?? failed[0];
                    throw new AmazonSQSException($"SendMessageBatch: {failed.Count} of {pending.Count} messages were not sent: {failure.Code}: {failure.Message}",
                        fatal is null ? ErrorType.Receiver : ErrorType.Sender, failure.Code, response.ResponseMetadata?.RequestId, HttpStatusCode.OK);
                }
                var retry = failed.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
                pending = [.. pending.Where(e => retry.Contains(e.Id))];
                await Task.Delay(Backoff.Exponential(attempt, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), Random.Shared), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task EnsureQueueAsync(string url, CancellationToken cancellationToken) =>
        _options.AutoCreateQueues ? _queues.EnsureAsync(url, cancellationToken) : Task.CompletedTask;

    private async Task CreateQueueAsync(string url, CancellationToken cancellationToken)
    {
        var name = SqsQueueUrls.Name(url);
        var request = new CreateQueueRequest { QueueName = name };
        if (SqsQueueUrls.IsFifo(url)) request.Attributes = new Dictionary<string, string> { ["FifoQueue"] = "true" };
        try
        {
            await _sqs.CreateQueueAsync(request, cancellationToken).ConfigureAwait(false);
            LogCreated(name);
        }
        catch (QueueNameExistsException)
        {
            // It exists with attributes of its own (another client made it, e.g. kombu with its visibility timeout): it is used as it is.
        }
    }

    // ---- receiving ----

    public async ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        ReceiveArguments.Check(queues, maxMessages, lease, cancellationToken);
        var visibility = Seconds(lease, 1, MaxVisibilitySeconds);
        var urls = queues.Select(QueueUrl).ToList();
        return await _receiveLoop.ReceiveAsync(urls, maxMessages, wait, MaxBatch,
            (i, max, w, into, ct) => ReceiveFromAsync(queues[i], urls[i], max, visibility, (int)w.TotalSeconds, into, ct),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One ReceiveMessage; returns how many messages SQS handed out (messages not yet due are held back and not added).</summary>
    private async Task<int> ReceiveFromAsync(string queue, string url, int max, int visibility, int waitSeconds, List<BrokerMessage> received, CancellationToken cancellationToken)
    {
        var request = new ReceiveMessageRequest
        {
            QueueUrl = url,
            MaxNumberOfMessages = max,
            VisibilityTimeout = visibility,
            WaitTimeSeconds = waitSeconds,
            MessageSystemAttributeNames = SystemAttributes,
            MessageAttributeNames = ["All"],
        };
        ReceiveMessageResponse response;
        try
        {
            response = await _sqs.ReceiveMessageAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (QueueDoesNotExistException) when (_options.AutoCreateQueues)
        {
            _queues.Forget(url);
            await EnsureQueueAsync(url, cancellationToken).ConfigureAwait(false);
            response = await _sqs.ReceiveMessageAsync(request, cancellationToken).ConfigureAwait(false);
        }
        var messages = response.Messages ?? [];
        if (messages.Count == 0) return 0;
        var now = NowMs;
        List<Message>? early = null;
        List<BrokerMessage>? undecodable = null;
        foreach (var message in messages)
        {
            var attribute = Attributes(message);
            if (RemoteAttributes.DueTime(attribute) is { } due && due.ToUnixTimeMilliseconds() > now)
            {
                (early ??= []).Add(message);
                continue;
            }
            _latestReceipt[message.MessageId] = message.ReceiptHandle;
            if (ToBrokerMessage(queue, url, message) is { } converted) received.Add(converted);
            else (undecodable ??= []).Add(Raw(queue, url, message));
        }
        if (early is not null) await HoldAsync(url, early, now, cancellationToken).ConfigureAwait(false);
        if (undecodable is not null)
            foreach (var message in undecodable)
                await DeadLetterAsync(message, "the message's body is marked base64 but is not valid base64", cancellationToken).ConfigureAwait(false);
        return messages.Count;
    }

    private static Func<string, string?> Attributes(Message message) =>
        name => message.MessageAttributes is not null && message.MessageAttributes.TryGetValue(name, out var value) ? value.StringValue : null;

    private static int ReceiveCount(Message message) =>
        message.Attributes is not null && message.Attributes.TryGetValue(nameof(MessageSystemAttributeName.ApproximateReceiveCount), out var text)
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 1;

    /// <summary>The broker message of a received SQS message; null when its body cannot be decoded.</summary>
    private static BrokerMessage? ToBrokerMessage(string queue, string url, Message message)
    {
        var attribute = Attributes(message);
        if (!TextBody.TryDecode(message.Body ?? "", attribute(RemoteAttributes.Encoding), out var body)) return null;
        return new BrokerMessage
        {
            Queue = queue,
            Body = body,
            Receipt = message.ReceiptHandle,
            DeliveryCount = RemoteAttributes.DeliveryCount(ReceiveCount(message), attribute),
            BrokerState = new SqsReceipt(url, message.ReceiptHandle, message.MessageId),
        };
    }

    /// <summary>A received message as it came, body undecoded: what a dead letter of a message that cannot be decoded keeps.</summary>
    private static BrokerMessage Raw(string queue, string url, Message message) => new()
    {
        Queue = queue,
        Body = System.Text.Encoding.UTF8.GetBytes(message.Body ?? ""),
        Receipt = message.ReceiptHandle,
        DeliveryCount = ReceiveCount(message),
        BrokerState = new SqsReceipt(url, message.ReceiptHandle, message.MessageId),
    };

    /// <summary>False for a receipt that a later receive of the same message by this instance replaced.</summary>
    private bool IsCurrent(SqsReceipt receipt) =>
        receipt.MessageId.Length == 0 || !_latestReceipt.TryGetValue(receipt.MessageId, out var latest) || latest == receipt.ReceiptHandle;

    /// <summary>This instance is done with the delivery: forget its receipt.</summary>
    private void Forget(SqsReceipt receipt)
    {
        if (receipt.MessageId.Length == 0) return;
        _latestReceipt.TryRemove(new KeyValuePair<string, string>(receipt.MessageId, receipt.ReceiptHandle));
    }

    /// <summary>
    /// Messages that surfaced before their due time. On a standard queue: re-sent with the remaining delay (up to 15
    /// minutes), then deleted — the re-send first, so a crash in between can duplicate a hop but never lose the task.
    /// On a FIFO queue (no per-message delays): hidden again by their visibility, up to 12 hours, holding their group.
    /// </summary>
    private async Task HoldAsync(string url, List<Message> early, long now, CancellationToken cancellationToken)
    {
        if (SqsQueueUrls.IsFifo(url))
        {
            await ChangeVisibilityAsync(url, [.. early.Select(m => (m.ReceiptHandle,
                (int)Math.Clamp((RemoteAttributes.DueTime(Attributes(m))!.Value.ToUnixTimeMilliseconds() - now + 999) / 1000, 1, MaxVisibilitySeconds)))], cancellationToken).ConfigureAwait(false);
            return;
        }
        var hops = new List<PendingSend>(early.Count);
        foreach (var message in early)
        {
            var attribute = Attributes(message);
            if (!TextBody.TryDecode(message.Body ?? "", attribute(RemoteAttributes.Encoding), out var body)) body = System.Text.Encoding.UTF8.GetBytes(message.Body ?? "");
            var carried = (message.MessageAttributes ?? [])
                .Where(a => a.Key is not RemoteAttributes.NotBefore and not RemoteAttributes.Encoding && a.Value.StringValue is not null)
                .ToDictionary(a => a.Key, a => a.Value.StringValue, StringComparer.Ordinal);
            hops.Add(CreateEntry(url, body, RemoteAttributes.DueTime(attribute)!.Value.ToUnixTimeMilliseconds(), now, null, null, carried));
        }
        await SendEntriesAsync(url, hops, cancellationToken).ConfigureAwait(false);
        await DeleteAsync(url, [.. early.Select(m => m.ReceiptHandle)], cancellationToken).ConfigureAwait(false);
        LogHopped(early.Count, url);
    }

    // ---- settling ----

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
            foreach (var receipt in current) Forget(receipt);
        }
    }

    private async Task DeleteAsync(string url, List<string> receipts, CancellationToken cancellationToken)
    {
        foreach (var chunk in receipts.Chunk(MaxBatch))
        {
            var entries = chunk.Select((r, i) => new DeleteMessageBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), r)).ToList();
            var response = await _sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest { QueueUrl = url, Entries = entries }, cancellationToken).ConfigureAwait(false);
            LogFailures("DeleteMessageBatch", response.Failed);
        }
    }

    private async Task ChangeVisibilityAsync(string url, List<(string Receipt, int Seconds)> changes, CancellationToken cancellationToken)
    {
        foreach (var chunk in changes.Chunk(MaxBatch))
        {
            var entries = chunk.Select((c, i) => new ChangeMessageVisibilityBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), c.Receipt) { VisibilityTimeout = c.Seconds }).ToList();
            var response = await _sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest { QueueUrl = url, Entries = entries }, cancellationToken).ConfigureAwait(false);
            LogFailures("ChangeMessageVisibilityBatch", response.Failed);
        }
    }

    public async ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var seconds = Seconds(lease, 1, MaxVisibilitySeconds);
        foreach (var group in messages.Select(Receipt).Where(IsCurrent).GroupBy(r => r.QueueUrl, StringComparer.Ordinal))
            await ChangeVisibilityAsync(group.Key, [.. group.Select(r => (r.ReceiptHandle, seconds))], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>SQS delays and visibility timeouts are whole seconds.</summary>
    public TimeSpan DelayResolution => TimeSpan.FromSeconds(1);

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
        if (SqsQueueUrls.IsFifo(receipt.QueueUrl))
        {
            await TryChangeVisibilityAsync(receipt, Seconds(delay, 0, MaxVisibilitySeconds), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Only the current holder may release: a stale receipt fails here, before a copy is made.
            if (!await TryChangeVisibilityAsync(receipt, TakeOverSeconds, cancellationToken).ConfigureAwait(false)) return;
            var now = NowMs;
            var due = delay > TimeSpan.Zero ? now + (long)Math.Ceiling(delay.TotalMilliseconds) : 0;
            var entry = CreateEntry(receipt.QueueUrl, message.Body.Span, due, now, null, null, RemoteAttributes.ForRelease(message.DeliveryCount));
            await SendEntriesAsync(receipt.QueueUrl, [entry], cancellationToken).ConfigureAwait(false);
            await DeleteAsync(receipt.QueueUrl, [receipt.ReceiptHandle], cancellationToken).ConfigureAwait(false);
        }
        Forget(receipt);
        if (delay <= TimeSpan.Zero) _receiveLoop.MarkReady(receipt.QueueUrl);
    }

    /// <summary>Changes the visibility of one delivery; false when the receipt no longer holds the message.</summary>
    private async Task<bool> TryChangeVisibilityAsync(SqsReceipt receipt, int seconds, CancellationToken cancellationToken)
    {
        try
        {
            await _sqs.ChangeMessageVisibilityAsync(new ChangeMessageVisibilityRequest(receipt.QueueUrl, receipt.ReceiptHandle, seconds), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonSQSException ex) when (IsStaleReceipt(ex))
        {
            return false;
        }
    }

    /// <summary>A receipt that no longer holds its message: received again, deleted, or its visibility ran out.</summary>
    private static bool IsStaleReceipt(AmazonSQSException ex) =>
        ex is ReceiptHandleIsInvalidException or MessageNotInflightException || IsStaleReceipt(ex.ErrorCode);

    private static bool IsStaleReceipt(string? code) =>
        code is not null && (code.EndsWith("ReceiptHandleIsInvalid", StringComparison.Ordinal) || code.EndsWith("MessageNotInflight", StringComparison.Ordinal)
                             || code == "InvalidParameterValue");

    public async ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (await _deadLetters.DeadLetterAsync(message, reason, cancellationToken).ConfigureAwait(false)) Forget(Receipt(message));
    }

    private SqsReceipt Receipt(BrokerMessage message) =>
        message.BrokerState as SqsReceipt ?? new SqsReceipt(QueueUrl(message.Queue), message.Receipt, "");

    // ---- the dead-letter queue's primitives ----

    async ValueTask<bool> IDeadLetterCopyTransport.TakeOverAsync(BrokerMessage message, CancellationToken cancellationToken)
    {
        var receipt = Receipt(message);
        // Only the current holder may dead-letter: a stale receipt fails here, before a copy is made.
        return IsCurrent(receipt) && await TryChangeVisibilityAsync(receipt, TakeOverSeconds, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A message close to the size limit does not fit with the dead letter's attributes: its body is cut to fit and the
    /// original size recorded, so that every message the queue accepted can be dead-lettered, its reason kept.
    /// </summary>
    async ValueTask IDeadLetterCopyTransport.SendCopyAsync(string queue, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellationToken)
    {
        var url = QueueUrl(queue);
        await EnsureQueueAsync(url, cancellationToken).ConfigureAwait(false);
        var entry = CreateEntry(url, body.Span, 0, 0, null, null, attributes);
        if (entry.Size > _options.MaxMessageBytes)
        {
            var marked = new Dictionary<string, string>(attributes, StringComparer.Ordinal) { [RemoteAttributes.TruncatedFrom] = body.Length.ToString(CultureInfo.InvariantCulture) };
            var fits = body.Length;
            do
            {
                // Base64 grows a body by a third; shrink by the excess (with some margin) until the copy fits.
                fits = Math.Max(0, fits - (entry.Size - _options.MaxMessageBytes) - 64);
                entry = CreateEntry(url, body.Span[..fits], 0, 0, null, null, marked);
            }
            while (entry.Size > _options.MaxMessageBytes && fits > 0);
            LogTruncated(queue, body.Length, fits);
        }
        await SendEntriesAsync(url, [entry], cancellationToken).ConfigureAwait(false);
    }

    async ValueTask IDeadLetterCopyTransport.DeleteAsync(BrokerMessage message, CancellationToken cancellationToken)
    {
        var receipt = Receipt(message);
        await DeleteAsync(receipt.QueueUrl, [receipt.ReceiptHandle], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>SQS cannot peek: the dead-letter queue is read by receiving everything with a short visibility.</summary>
    async ValueTask<IReadOnlyList<HeldDeadLetter>> IDeadLetterCopyTransport.HoldAllAsync(string queue, CancellationToken cancellationToken)
    {
        var url = QueueUrl(queue);
        var seen = new Dictionary<string, HeldDeadLetter>(StringComparer.Ordinal);
        while (true)
        {
            List<Message> batch;
            try
            {
                var response = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest
                {
                    QueueUrl = url,
                    MaxNumberOfMessages = MaxBatch,
                    VisibilityTimeout = 30,
                    WaitTimeSeconds = 0,
                    MessageSystemAttributeNames = SystemAttributes,
                    MessageAttributeNames = ["All"],
                }, cancellationToken).ConfigureAwait(false);
                batch = response.Messages ?? [];
            }
            catch (QueueDoesNotExistException)
            {
                break;
            }
            if (batch.Count == 0) break;
            foreach (var m in batch)
            {
                var attribute = Attributes(m);
                if (!TextBody.TryDecode(m.Body ?? "", attribute(RemoteAttributes.Encoding), out var body)) body = System.Text.Encoding.UTF8.GetBytes(m.Body ?? "");
                var sent = m.Attributes is not null && m.Attributes.TryGetValue(nameof(MessageSystemAttributeName.SentTimestamp), out var text)
                           && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
                    ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.MinValue;
                seen[m.MessageId] = new HeldDeadLetter(RemoteAttributes.ReadDeadLetter(m.MessageId, body, attribute, "dead-lettered by SQS redrive", sent), m.ReceiptHandle);
            }
        }
        return [.. seen.Values];
    }

    ValueTask IDeadLetterCopyTransport.RestoreAsync(string queue, IReadOnlyList<HeldDeadLetter> letters, CancellationToken cancellationToken) =>
        new(ChangeVisibilityAsync(QueueUrl(queue), [.. letters.Select(l => (l.Handle, 0))], cancellationToken));

    ValueTask IDeadLetterCopyTransport.DeleteHeldAsync(string queue, IReadOnlyList<HeldDeadLetter> letters, CancellationToken cancellationToken) =>
        new(DeleteAsync(QueueUrl(queue), [.. letters.Select(l => l.Handle)], cancellationToken));

    // ---- depth and administration ----

    /// <summary>
    /// Not known: SQS publishes the age of the oldest message only as the CloudWatch metric ApproximateAgeOfOldestMessage,
    /// not as a queue attribute, and reading a message's SentTimestamp means receiving it (a delivery counted, the
    /// message hidden from the workers for the visibility timeout). The autoscaler then scales on depth alone.
    /// </summary>
    public ValueTask<TimeSpan?> GetOldestReadyAgeAsync(string queue, CancellationToken cancellationToken) => ValueTask.FromResult<TimeSpan?>(null);

    public async ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken)
    {
        Dictionary<string, string> attributes;
        try
        {
            var response = await _sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest(QueueUrl(queue), DepthAttributes), cancellationToken).ConfigureAwait(false);
            attributes = response.Attributes ?? [];
        }
        catch (QueueDoesNotExistException)
        {
            return default;
        }
        return new QueueDepth(Number(attributes, ApproximateNumberOfMessages), Number(attributes, ApproximateNumberOfMessagesNotVisible), Number(attributes, ApproximateNumberOfMessagesDelayed));
    }

    private static long Number(Dictionary<string, string> attributes, string name) =>
        attributes.TryGetValue(name, out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    public async ValueTask<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(_options.QueueUrls.Keys.Where(k => k != _options.DeadLetterQueue), StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(_options.QueueUrlPrefix))
        {
            var namePrefix = SqsQueueUrls.Name(_options.QueueUrlPrefix);
            string? next = null;
            do
            {
                var response = await _sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = namePrefix, MaxResults = 1000, NextToken = next }, cancellationToken).ConfigureAwait(false);
                foreach (var url in response.QueueUrls ?? [])
                {
                    var name = SqsQueueUrls.Name(url);
                    if (!name.StartsWith(namePrefix, StringComparison.Ordinal)) continue;
                    var queue = name[namePrefix.Length..];
                    if (queue.Length > 0 && queue != _options.DeadLetterQueue) names.Add(queue);
                }
                next = response.NextToken;
            }
            while (!string.IsNullOrEmpty(next));
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
            await _sqs.PurgeQueueAsync(new PurgeQueueRequest { QueueUrl = QueueUrl(queue) }, cancellationToken).ConfigureAwait(false);
        }
        catch (PurgeQueueInProgressException)
        {
            // A purge running already removes these too.
        }
        return depth.Total;
    }

    public ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? queue, int limit, CancellationToken cancellationToken) =>
        _deadLetters.ListAsync(queue, limit, cancellationToken);

    public ValueTask<int> DeleteDeadLettersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        _deadLetters.DeleteAsync(ids, cancellationToken);

    private static int Seconds(TimeSpan span, int min, int max) => (int)Math.Clamp(Math.Ceiling(span.TotalSeconds), min, max);

    private void LogFailures(string action, List<BatchResultErrorEntry>? failed)
    {
        foreach (var failure in failed ?? [])
        {
            if (IsStaleReceipt(failure.Code)) LogStale(action);
            else LogEntryFailed(action, failure.Code, failure.Message);
        }
    }

    [LoggerMessage(LogLevel.Information, "Created SQS queue {Name}")]
    private partial void LogCreated(string name);

    [LoggerMessage(LogLevel.Warning, "A dead letter for {Queue} did not fit SQS's size limit with its reason: its body was cut from {Size} to {Kept} bytes")]
    private partial void LogTruncated(string queue, int size, int kept);

    [LoggerMessage(LogLevel.Debug, "Re-delayed {Count} messages of {Url} that are not due yet")]
    private partial void LogHopped(int count, string url);

    [LoggerMessage(LogLevel.Debug, "{Action}: a receipt no longer held its message (received again or settled); ignored")]
    private partial void LogStale(string action);

    [LoggerMessage(LogLevel.Warning, "{Action}: an entry failed with {Code}: {Message}; the message returns when its visibility times out")]
    private partial void LogEntryFailed(string action, string code, string? message);
}
