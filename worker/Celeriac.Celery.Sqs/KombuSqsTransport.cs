using System.Collections.Concurrent;
using System.Text;
using Amazon.SQS;
using Celeriac.Brokers;
using Celeriac.Celery.Transport;
using Celeriac.Sqs;
using Microsoft.Extensions.Logging;

namespace Celeriac.Celery.Sqs;

/// <summary>
/// kombu's SQS transport, as Celery's workers use it: one SQS queue per Celery queue, named as kombu names it
/// (<see cref="KombuSqsNames"/>, after <see cref="CelerySqsOptions.QueueNamePrefix"/>), each message's body the kombu
/// message in base64 (kombu's default; a body in plain JSON is read too); an ack deletes, a lease is the visibility timeout.
/// Everything else is Celeriac's SQS broker (batching, long polls, lease extension, delays beyond 15 minutes, the copy
/// dead-letter queue), which this transport drives with the bodies and names translated.
/// </summary>
public sealed class KombuSqsTransport : ICeleryTransport
{
    private readonly SqsBroker _sqs;
    private readonly string _namePrefix;
    private readonly ConcurrentDictionary<string, string> _celeryNames = new(StringComparer.Ordinal);

    public KombuSqsTransport(IAmazonSQS sqs, CelerySqsOptions options, TimeProvider? time = null, ILogger<SqsBroker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(sqs);
        CelerySqsOptionsValidator.Instance.ThrowIfInvalid(options);
        _namePrefix = options.QueueNamePrefix;
        _sqs = new SqsBroker(sqs, new SqsBrokerOptions
        {
            QueueUrlPrefix = options.QueueUrlPrefix,
            DeadLetterQueue = KombuSqsNames.EntityName(options.QueueNamePrefix + options.DeadLetterQueue),
            AutoCreateQueues = options.AutoCreateQueues,
            LongPollSeconds = options.LongPollSeconds,
        }, time, logger);
    }

    /// <summary>The SQS name of a Celery queue.</summary>
    public string SqsName(string queue)
    {
        var name = KombuSqsNames.EntityName(_namePrefix + queue);
        _celeryNames.TryAdd(name, queue);
        return name;
    }

    private string CeleryName(string sqsName) => _celeryNames.TryGetValue(sqsName, out var queue) ? queue : sqsName;

    /// <summary>kombu's body: the message's JSON in base64.</summary>
    private static byte[] Encode(ReadOnlySpan<byte> kombuMessage) => Encoding.ASCII.GetBytes(Convert.ToBase64String(kombuMessage));

    /// <summary>kombu's reading: base64 when it is base64 (and decodes to a JSON object), else the text as it is.</summary>
    private static byte[] Decode(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body).Trim();
        var buffer = new byte[text.Length * 3 / 4 + 3];
        if (text.Length > 0 && text[0] != '{' && Convert.TryFromBase64String(text, buffer, out var written))
        {
            var decoded = buffer.AsSpan(0, written).TrimStart(" \t\r\n"u8);
            if (decoded.Length > 0 && decoded[0] == (byte)'{') return buffer[..written];
        }
        return body.ToArray();
    }

    public ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return _sqs.SendAsync([.. messages.Select(m => m with { Queue = SqsName(m.Queue), Body = Encode(m.Body.Span) })], cancellationToken);
    }

    public async ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queues);
        var received = await _sqs.ReceiveAsync([.. queues.Select(SqsName)], maxMessages, lease, wait, cancellationToken).ConfigureAwait(false);
        return [.. received.Select(m => new BrokerMessage
        {
            Queue = CeleryName(m.Queue),
            Body = Decode(m.Body.Span),
            Receipt = m.Receipt,
            DeliveryCount = m.DeliveryCount,
            BrokerState = m,
        })];
    }

    private static BrokerMessage Inner(BrokerMessage message) =>
        message.BrokerState as BrokerMessage ?? throw new ArgumentException("The message was not received from kombu's SQS transport.", nameof(message));

    public ValueTask AckAsync(IReadOnlyList<BrokerMessage> messages, CancellationToken cancellationToken) =>
        _sqs.AckAsync([.. messages.Select(Inner)], cancellationToken);

    public TimeSpan DelayResolution => _sqs.DelayResolution;

    public ValueTask ReleaseAsync(BrokerMessage message, TimeSpan delay, CancellationToken cancellationToken) =>
        _sqs.ReleaseAsync(Inner(message), delay, cancellationToken);

    public ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken) =>
        _sqs.ExtendLeaseAsync([.. messages.Select(Inner)], lease, cancellationToken);

    public ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken) =>
        _sqs.DeadLetterAsync(Inner(message), reason, cancellationToken);

    public ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken) =>
        _sqs.GetDepthAsync(SqsName(queue), cancellationToken);

    public async ValueTask<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken)
    {
        var names = await _sqs.ListQueuesAsync(cancellationToken).ConfigureAwait(false);
        return [.. names.Select(CeleryName)];
    }

    public ValueTask<long> PurgeAsync(string queue, CancellationToken cancellationToken) => _sqs.PurgeAsync(SqsName(queue), cancellationToken);

    public async ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? queue, int limit, CancellationToken cancellationToken)
    {
        var letters = await _sqs.ListDeadLettersAsync(queue is null ? null : SqsName(queue), limit, cancellationToken).ConfigureAwait(false);
        return [.. letters.Select(d => d with { Queue = CeleryName(d.Queue), Body = Decode(d.Body.Span) })];
    }

    public ValueTask<int> DeleteDeadLettersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken) =>
        _sqs.DeleteDeadLettersAsync(ids, cancellationToken);
}
