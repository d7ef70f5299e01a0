using Celeriac.Brokers;

namespace Celeriac.Tests.Infrastructure;

/// <summary>Passes everything to an inner broker; after each send, records the queue's depth and lets the test look at the batch.</summary>
public sealed class DepthRecordingBroker(IBroker inner, string queue) : ForwardingBroker(inner)
{
    private long _maxDepth;
    private long _sent;

    public long MaxDepth => Interlocked.Read(ref _maxDepth);
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Called with each batch after it was passed on.</summary>
    public Action<IReadOnlyList<OutgoingMessage>>? AfterSend { get; set; }

    public override async ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        await base.SendAsync(messages, cancellationToken);
        Interlocked.Add(ref _sent, messages.Count);
        var depth = (await Inner.GetDepthAsync(queue, CancellationToken.None)).Total;
        long max;
        while (depth > (max = Interlocked.Read(ref _maxDepth)) && Interlocked.CompareExchange(ref _maxDepth, depth, max) != max)
        {
        }
        AfterSend?.Invoke(messages);
    }
}
