using Celeriac.Brokers;

namespace Celeriac.Testing.InProcess;

/// <summary>
/// The base of a broker test double that stands in front of a real one: every <see cref="IBroker"/> member goes to
/// <see cref="Inner"/>, so that a double overrides only what it records or changes.
/// </summary>
public abstract class ForwardingBroker(IBroker inner) : IBroker
{
    public IBroker Inner { get; } = inner;

    public virtual ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken) =>
        Inner.SendAsync(messages, cancellationToken);

    public virtual ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait,
        CancellationToken cancellationToken) =>
        Inner.ReceiveAsync(queues, maxMessages, lease, wait, cancellationToken);

    public virtual ValueTask AckAsync(IReadOnlyList<BrokerMessage> messages, CancellationToken cancellationToken) => Inner.AckAsync(messages, cancellationToken);

    public virtual TimeSpan DelayResolution => Inner.DelayResolution;

    public virtual ValueTask ReleaseAsync(BrokerMessage message, TimeSpan delay, CancellationToken cancellationToken) =>
        Inner.ReleaseAsync(message, delay, cancellationToken);

    public virtual ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken) =>
        Inner.ExtendLeaseAsync(messages, lease, cancellationToken);

    public virtual ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken) =>
        Inner.DeadLetterAsync(message, reason, cancellationToken);

    public virtual ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken) => Inner.GetDepthAsync(queue, cancellationToken);

    public virtual ValueTask<TimeSpan?> GetOldestReadyAgeAsync(string queue, CancellationToken cancellationToken) =>
        Inner.GetOldestReadyAgeAsync(queue, cancellationToken);
}
