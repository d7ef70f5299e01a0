using Celeriac.Brokers;

namespace Celeriac.Tests.Infrastructure;

/// <summary>Passes everything to an inner broker; after each send, records the queue's depth and lets the test look at the batch.</summary>
public sealed class DepthRecordingBroker(IBroker inner, string queue) : IBroker
{
    private long _maxDepth;
    private long _sent;

    public long MaxDepth => Interlocked.Read(ref _maxDepth);
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Called with each batch after it was passed on.</summary>
    public Action<IReadOnlyList<OutgoingMessage>>? AfterSend { get; set; }

    public async ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        await inner.SendAsync(messages, cancellationToken);
        Interlocked.Add(ref _sent, messages.Count);
        var depth = (await inner.GetDepthAsync(queue, CancellationToken.None)).Total;
        long max;
        while (depth > (max = Interlocked.Read(ref _maxDepth)) && Interlocked.CompareExchange(ref _maxDepth, depth, max) != max)
        {
        }
        AfterSend?.Invoke(messages);
    }

    public ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken) =>
        inner.ReceiveAsync(queues, maxMessages, lease, wait, cancellationToken);

    public ValueTask AckAsync(IReadOnlyList<BrokerMessage> messages, CancellationToken cancellationToken) => inner.AckAsync(messages, cancellationToken);
    public ValueTask ReleaseAsync(BrokerMessage message, TimeSpan delay, CancellationToken cancellationToken) => inner.ReleaseAsync(message, delay, cancellationToken);
    public ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken) => inner.ExtendLeaseAsync(messages, lease, cancellationToken);
    public ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken) => inner.DeadLetterAsync(message, reason, cancellationToken);
    public ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken) => inner.GetDepthAsync(queue, cancellationToken);
}
