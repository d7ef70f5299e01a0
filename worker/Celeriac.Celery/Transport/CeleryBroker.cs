using System.Text;
using Celeriac.Brokers;
using Celeriac.Celery.Binding;
using Celeriac.Celery.Protocol;
using Celeriac.Envelope;
using Celeriac.Observability;
using Celeriac.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Celeriac.Celery.Transport;

/// <summary>
/// The broker a Celeriac process sees when some of its queues are Celery's: those queues go to the kombu transport, their
/// messages turned into envelopes on the way in and into Celery messages on the way out; every other queue goes to the
/// Celeriac broker as before. A Celery message that cannot be read (pickle, YAML or msgpack, a broken body, args that do
/// not fit the task) is dead-lettered with the reason, never deserialized further; one whose <c>eta</c> is still ahead
/// waits in the transport's delay store instead of holding a lease (Celery's visibility-timeout trap).
/// </summary>
public sealed partial class CeleryBroker(
    IBroker inner,
    ICeleryTransport transport,
    CeleryRouting routing,
    TaskRegistry registry,
    IEnumerable<ITaskObserver> observers,
    TimeProvider time,
    ILogger<CeleryBroker>? logger = null) : IBroker, IBrokerAdmin
{
    private const int MaxReason = 2000;
    private static readonly TimeSpan MixedWaitSlice = TimeSpan.FromMilliseconds(200);
    private readonly ITaskObserver[] _observers = [.. observers];
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    private bool IsCelery(string queue) => routing.IsCeleryQueue(queue);

    public async ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var celeriac = new List<OutgoingMessage>(messages.Count);
        var celery = new List<OutgoingMessage>();
        foreach (var message in messages)
        {
            if (IsCelery(message.Queue)) celery.Add(ToKombu(message));
            else celeriac.Add(message);
        }
        if (celeriac.Count > 0) await inner.SendAsync(celeriac, cancellationToken).ConfigureAwait(false);
        if (celery.Count > 0) await transport.SendAsync(celery, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// An envelope becomes a Celery message. A body that already is a kombu message (a replayed Celery dead letter) is sent
    /// anew as kombu sends (a new delivery tag, no redelivery marks) with its retries back at 0, as a replayed envelope
    /// restarts at attempt 0. Delays travel in the message's <c>eta</c>, where Celery's workers look, not in the transport.
    /// </summary>
    private OutgoingMessage ToKombu(OutgoingMessage message)
    {
        TaskEnvelope envelope;
        try
        {
            envelope = EnvelopeSerializer.Deserialize(message.Body.Span);
        }
        catch (InvalidEnvelopeException) when (KombuMessage.LooksLikeOne(message.Body.Span))
        {
            try
            {
                var replay = KombuMessage.Parse(message.Body.Span).Resend(message.Queue);
                if (replay.Headers["retries"] is not null) replay.Headers["retries"] = 0;
                return new OutgoingMessage(message.Queue, replay.ToBytes()) { MessageId = message.MessageId };
            }
            catch (InvalidCeleryMessageException ex)
            {
                throw new ArgumentException($"A message for Celery queue '{message.Queue}' is not a kombu message: {ex.Message}", nameof(message), ex);
            }
        }
        catch (InvalidEnvelopeException ex)
        {
            throw new ArgumentException($"A message for Celery queue '{message.Queue}' is neither a Celeriac envelope nor a kombu message: {ex.Message}", nameof(message), ex);
        }
        var celery = CeleryEnvelopes.ToCelery(envelope, routing);
        return new OutgoingMessage(message.Queue, celery.Encode(message.Queue).ToBytes()) { MessageId = celery.Id };
    }

    public async ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queues);
        var anyCelery = false;
        var allCelery = true;
        foreach (var queue in queues)
        {
            var celery = IsCelery(queue);
            anyCelery |= celery;
            allCelery &= celery;
        }
        if (!anyCelery) return await inner.ReceiveAsync(queues, maxMessages, lease, wait, cancellationToken).ConfigureAwait(false);
        if (allCelery) return await ReceiveCeleryAsync(queues, maxMessages, lease, wait, cancellationToken).ConfigureAwait(false);
        return await ReceiveMixedAsync(queues, maxMessages, lease, wait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Queues of both kinds: each run of same-kind queues is asked in priority order without waiting; while all are empty,
    /// the first run is waited on in short slices, so that the other kind is looked at again soon.
    /// </summary>
    private async Task<IReadOnlyList<BrokerMessage>> ReceiveMixedAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        var runs = new List<(bool Celery, List<string> Queues)>();
        foreach (var queue in queues)
        {
            var celery = IsCelery(queue);
            if (runs.Count == 0 || runs[^1].Celery != celery) runs.Add((celery, []));
            runs[^1].Queues.Add(queue);
        }
        var received = new List<BrokerMessage>();
        var started = time.GetTimestamp();
        while (true)
        {
            foreach (var (celery, names) in runs)
            {
                if (received.Count >= maxMessages) break;
                received.AddRange(await ReceiveRunAsync(celery, names, maxMessages - received.Count, lease, TimeSpan.Zero, cancellationToken).ConfigureAwait(false));
            }
            var remaining = wait - time.GetElapsedTime(started);
            if (received.Count > 0 || remaining <= TimeSpan.Zero) return received;
            var first = runs[0];
            received.AddRange(await ReceiveRunAsync(first.Celery, first.Queues, maxMessages, lease, remaining < MixedWaitSlice ? remaining : MixedWaitSlice, cancellationToken).ConfigureAwait(false));
            if (received.Count > 0) return received;
        }
    }

    private async Task<IReadOnlyList<BrokerMessage>> ReceiveRunAsync(bool celery, IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken) =>
        celery
            ? await ReceiveCeleryAsync(queues, maxMessages, lease, wait, cancellationToken).ConfigureAwait(false)
            : await inner.ReceiveAsync(queues, maxMessages, lease, wait, cancellationToken).ConfigureAwait(false);

    private async Task<IReadOnlyList<BrokerMessage>> ReceiveCeleryAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        var raw = await transport.ReceiveAsync(queues, maxMessages, lease, wait, cancellationToken).ConfigureAwait(false);
        if (raw.Count == 0) return raw;
        var now = time.GetUtcNow();
        var received = new List<BrokerMessage>(raw.Count);
        foreach (var message in raw)
        {
            CeleryTaskMessage task;
            try
            {
                task = CeleryTaskMessage.Decode(KombuMessage.Parse(message.Body.Span));
            }
            catch (InvalidCeleryMessageException ex)
            {
                await RejectAsync(message, null, ex.Message).ConfigureAwait(false);
                continue;
            }
            if (task.Eta is { } eta && eta > now)
            {
                await DeferAsync(message, task, eta - now).ConfigureAwait(false);
                continue;
            }
            TaskEnvelope envelope;
            try
            {
                envelope = CeleryEnvelopes.ToEnvelope(task, message.Body.Span, message.Queue, registry, now);
            }
            catch (ArgumentBindingException ex)
            {
                var argsType = registry.TryGet(task.Task, out var descriptor) ? descriptor.ArgsType.Name : "?";
                await RejectAsync(message, task.Task, $"args do not bind to {argsType}: {ex.Message}").ConfigureAwait(false);
                continue;
            }
            received.Add(new BrokerMessage
            {
                Queue = message.Queue,
                Body = EnvelopeSerializer.Serialize(envelope),
                Receipt = message.Receipt,
                DeliveryCount = message.DeliveryCount,
                BrokerState = new CeleryDelivery(message, task),
            });
        }
        return received;
    }

    /// <summary>A task whose eta is ahead goes to the transport's delay store until then; a failure leaves it leased, so it comes back when the lease runs out.</summary>
    private async Task DeferAsync(BrokerMessage message, CeleryTaskMessage task, TimeSpan delay)
    {
        try
        {
            await transport.ReleaseAsync(message, delay, CancellationToken.None).ConfigureAwait(false);
            LogDeferred(task.Task, task.Id, delay.TotalSeconds);
        }
        catch (Exception ex)
        {
            LogSettleFailed(ex, message.Queue);
        }
    }

    private async Task RejectAsync(BrokerMessage message, string? taskName, string reason)
    {
        if (reason.Length > MaxReason) reason = reason[..MaxReason] + "…";
        LogRejected(message.Queue, reason);
        foreach (var observer in _observers) observer.OnRejected(message, taskName, reason);
        try
        {
            await transport.DeadLetterAsync(message, reason, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogSettleFailed(ex, message.Queue);
        }
    }

    private static BrokerMessage TransportMessage(BrokerMessage message) =>
        message.BrokerState is CeleryDelivery delivery ? delivery.TransportMessage : message;

    public async ValueTask AckAsync(IReadOnlyList<BrokerMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var celery = messages.Where(m => m.BrokerState is CeleryDelivery).Select(TransportMessage).ToList();
        var celeriac = messages.Where(m => m.BrokerState is not CeleryDelivery).ToList();
        if (celeriac.Count > 0) await inner.AckAsync(celeriac, cancellationToken).ConfigureAwait(false);
        if (celery.Count > 0) await transport.AckAsync(celery, cancellationToken).ConfigureAwait(false);
    }

    public TimeSpan DelayResolution => transport.DelayResolution > inner.DelayResolution ? transport.DelayResolution : inner.DelayResolution;

    public ValueTask ReleaseAsync(BrokerMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.BrokerState is CeleryDelivery delivery
            ? transport.ReleaseAsync(delivery.TransportMessage, delay, cancellationToken)
            : inner.ReleaseAsync(message, delay, cancellationToken);
    }

    public async ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var celery = messages.Where(m => m.BrokerState is CeleryDelivery).Select(TransportMessage).ToList();
        var celeriac = messages.Where(m => m.BrokerState is not CeleryDelivery).ToList();
        if (celeriac.Count > 0) await inner.ExtendLeaseAsync(celeriac, lease, cancellationToken).ConfigureAwait(false);
        if (celery.Count > 0) await transport.ExtendLeaseAsync(celery, lease, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.BrokerState is CeleryDelivery delivery
            ? transport.DeadLetterAsync(delivery.TransportMessage, reason, cancellationToken)
            : inner.DeadLetterAsync(message, reason, cancellationToken);
    }

    public ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken) =>
        IsCelery(queue) ? transport.GetDepthAsync(queue, cancellationToken) : inner.GetDepthAsync(queue, cancellationToken);

    public ValueTask<TimeSpan?> GetOldestReadyAgeAsync(string queue, CancellationToken cancellationToken) =>
        IsCelery(queue) ? transport.GetOldestReadyAgeAsync(queue, cancellationToken) : inner.GetOldestReadyAgeAsync(queue, cancellationToken);

    private IBrokerAdmin InnerAdmin => inner as IBrokerAdmin
        ?? throw new NotSupportedException($"The broker {inner.GetType().Name} has no administration API (purge, dead letters).");

    public async ValueTask<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken)
    {
        var own = inner is IBrokerAdmin admin ? await admin.ListQueuesAsync(cancellationToken).ConfigureAwait(false) : [];
        var celery = await transport.ListQueuesAsync(cancellationToken).ConfigureAwait(false);
        return [.. own.Concat(celery).Concat(routing.Queues).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    public ValueTask<long> PurgeAsync(string queue, CancellationToken cancellationToken) =>
        IsCelery(queue) ? transport.PurgeAsync(queue, cancellationToken) : InnerAdmin.PurgeAsync(queue, cancellationToken);

    /// <summary>Ids of the transport's dead letters carry this prefix, so that a deletion goes to the store that holds them.</summary>
    public const string DeadLetterIdPrefix = "celery:";

    public async ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? queue, int limit, CancellationToken cancellationToken)
    {
        if (queue is not null && !IsCelery(queue)) return await InnerAdmin.ListDeadLettersAsync(queue, limit, cancellationToken).ConfigureAwait(false);
        var celery = (await transport.ListDeadLettersAsync(queue, limit, cancellationToken).ConfigureAwait(false))
            .Select(d => d with { Id = DeadLetterIdPrefix + d.Id });
        if (queue is not null) return [.. celery];
        var own = inner is IBrokerAdmin admin ? await admin.ListDeadLettersAsync(null, limit, cancellationToken).ConfigureAwait(false) : [];
        return [.. own.Concat(celery).OrderBy(d => d.DeadLetteredAt).Take(limit)];
    }

    public async ValueTask<int> DeleteDeadLettersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var celery = ids.Where(i => i.StartsWith(DeadLetterIdPrefix, StringComparison.Ordinal)).Select(i => i[DeadLetterIdPrefix.Length..]).ToList();
        var own = ids.Where(i => !i.StartsWith(DeadLetterIdPrefix, StringComparison.Ordinal)).ToList();
        var deleted = own.Count > 0 ? await InnerAdmin.DeleteDeadLettersAsync(own, cancellationToken).ConfigureAwait(false) : 0;
        if (celery.Count > 0) deleted += await transport.DeleteDeadLettersAsync(celery, cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    [LoggerMessage(LogLevel.Warning, "Dead-lettered a Celery message from queue {Queue}: {Reason}")]
    private partial void LogRejected(string queue, string reason);

    [LoggerMessage(LogLevel.Debug, "Celery task {Task} {TaskId} is due in {Seconds}s; it waits in the delay store")]
    private partial void LogDeferred(string task, string taskId, double seconds);

    [LoggerMessage(LogLevel.Warning, "Settling a Celery message of queue {Queue} failed; it returns when its lease expires")]
    private partial void LogSettleFailed(Exception exception, string queue);
}
