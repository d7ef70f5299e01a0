using Celeriac.Brokers;
using Celeriac.Celery.Protocol;
using Celeriac.Celery.Transport;

namespace Celeriac.Celery.Tests.Infrastructure;

/// <summary>
/// Lets the broker contract suite, which sends arbitrary bytes, run on a kombu transport, which carries kombu messages
/// only: each body travels as the body of a kombu message made as kombu makes one (base64, a new delivery tag, the queue
/// as routing key), and comes back out of it. Everything else is the transport's own behaviour.
/// </summary>
public sealed class OpaqueBodyTransport(ICeleryTransport transport) : IBroker, IBrokerAdmin, IDisposable
{
    public ICeleryTransport Transport => transport;

    private static ReadOnlyMemory<byte> Wrap(OutgoingMessage message) =>
        KombuMessage.Create(message.Body.Span, [], message.Queue, null, null, 0).ToBytes();

    private static byte[] Unwrap(ReadOnlyMemory<byte> body) => KombuMessage.Parse(body.Span).BodyBytes();

    private static BrokerMessage Inner(BrokerMessage message) => (BrokerMessage)message.BrokerState!;

    public ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken) =>
        transport.SendAsync([.. messages.Select(m => m with { Body = Wrap(m) })], cancellationToken);

    public async ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        var received = await transport.ReceiveAsync(queues, maxMessages, lease, wait, cancellationToken);
        return [.. received.Select(m => new BrokerMessage { Queue = m.Queue, Body = Unwrap(m.Body), Receipt = m.Receipt, DeliveryCount = m.DeliveryCount, BrokerState = m })];
    }

    public ValueTask AckAsync(IReadOnlyList<BrokerMessage> messages, CancellationToken cancellationToken) => transport.AckAsync([.. messages.Select(Inner)], cancellationToken);

    public ValueTask ReleaseAsync(BrokerMessage message, TimeSpan delay, CancellationToken cancellationToken) => transport.ReleaseAsync(Inner(message), delay, cancellationToken);

    public ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken) =>
        transport.ExtendLeaseAsync([.. messages.Select(Inner)], lease, cancellationToken);

    public ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken) => transport.DeadLetterAsync(Inner(message), reason, cancellationToken);

    public ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken) => transport.GetDepthAsync(queue, cancellationToken);

    public ValueTask<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken) => transport.ListQueuesAsync(cancellationToken);

    public ValueTask<long> PurgeAsync(string queue, CancellationToken cancellationToken) => transport.PurgeAsync(queue, cancellationToken);

    public async ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? queue, int limit, CancellationToken cancellationToken)
    {
        var letters = await transport.ListDeadLettersAsync(queue, limit, cancellationToken);
        return [.. letters.Select(d => d with { Body = Unwrap(d.Body) })];
    }

    public ValueTask<int> DeleteDeadLettersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken) => transport.DeleteDeadLettersAsync(ids, cancellationToken);

    public void Dispose() => (transport as IDisposable)?.Dispose();
}
