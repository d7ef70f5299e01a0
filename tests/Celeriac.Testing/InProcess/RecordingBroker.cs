using System.Collections.Concurrent;
using Celeriac.Brokers;
using Celeriac.Envelope;

namespace Celeriac.Testing.InProcess;

/// <summary>Passes everything to an inner broker and records what was sent (batch by batch).</summary>
public sealed class RecordingBroker(IBroker inner) : ForwardingBroker(inner)
{
    public sealed record Sent(OutgoingMessage Message, DateTimeOffset At)
    {
        public TaskEnvelope Envelope => EnvelopeSerializer.Deserialize(Message.Body.Span);
    }

    public ConcurrentQueue<Sent> SentMessages { get; } = new();
    public ConcurrentQueue<int> BatchSizes { get; } = new();

    /// <summary>Called before each batch is passed on.</summary>
    public Action<IReadOnlyList<OutgoingMessage>>? OnSend { get; set; }

    /// <summary>When set, receiving throws this (a broker outage).</summary>
    public volatile Exception? ReceiveFailure;

    private int _failedReceives;

    /// <summary>Receives that threw <see cref="ReceiveFailure"/>.</summary>
    public int FailedReceives => Volatile.Read(ref _failedReceives);

    public IEnumerable<TaskEnvelope> SentEnvelopes => SentMessages.Select(s => s.Envelope);

    public override ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        OnSend?.Invoke(messages);
        BatchSizes.Enqueue(messages.Count);
        var now = DateTimeOffset.UtcNow;
        foreach (var message in messages) SentMessages.Enqueue(new Sent(message, now));
        return base.SendAsync(messages, cancellationToken);
    }

    public override ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (ReceiveFailure is not { } failure) return base.ReceiveAsync(queues, maxMessages, lease, wait, cancellationToken);
        Interlocked.Increment(ref _failedReceives);
        return ValueTask.FromException<IReadOnlyList<BrokerMessage>>(failure);
    }
}
