namespace Celeriac.Brokers;

/// <summary>
/// What every transport implements (SQLite, in-memory, Redis, SQS, Service Bus). Bodies are opaque
/// bytes; a received message is leased to one receiver until acknowledged, released, dead-lettered
/// or until its lease expires, when it becomes visible again (at-least-once).
/// </summary>
public interface IBroker
{
    /// <summary>Sends a batch. A message with <see cref="OutgoingMessage.NotBefore"/> stays invisible until then.</summary>
    ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken);

    /// <summary>
    /// Receives up to <paramref name="maxMessages"/> from <paramref name="queues"/>, taken in the order given
    /// (highest priority first), each leased for <paramref name="lease"/>. Waits up to <paramref name="wait"/>
    /// when none is ready; returns an empty list then.
    /// </summary>
    ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>Deletes finished messages. A message whose lease was lost is ignored.</summary>
    ValueTask AckAsync(IReadOnlyList<BrokerMessage> messages, CancellationToken cancellationToken);

    /// <summary>Returns a message to its queue, visible again after <paramref name="delay"/>.</summary>
    ValueTask ReleaseAsync(BrokerMessage message, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>Extends the leases of messages still being worked on.</summary>
    ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Moves a message to the dead-letter store with a reason, atomically with its removal from the queue where the broker can.</summary>
    ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken);

    /// <summary>Messages in a queue: ready, leased and delayed (for autoscaling and inspection).</summary>
    ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken);

    /// <summary>
    /// How long the oldest ready message of a queue has been receivable (since it was sent, became due or its lease
    /// expired), on the broker's clock where it has one; null when no message is ready, or when the broker cannot tell
    /// without receiving (SQS). For autoscaling on waiting time.
    /// </summary>
    ValueTask<TimeSpan?> GetOldestReadyAgeAsync(string queue, CancellationToken cancellationToken) => ValueTask.FromResult<TimeSpan?>(null);

    /// <summary>
    /// The step in which the broker delays a message (a release's or a send's): a delay is rounded up to a whole number
    /// of steps (SQS: seconds). Zero where delays are kept to the millisecond.
    /// </summary>
    TimeSpan DelayResolution => TimeSpan.Zero;
}

/// <summary>Administration that the CLI uses: purge, inspect and delete dead letters, list queues.</summary>
public interface IBrokerAdmin
{
    ValueTask<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the ready and delayed messages of a queue (a message whose lease ran out is ready) and returns how many.
    /// Running (leased) messages are left to finish or return. Where the service allows no purge that spares them (SQS's
    /// PurgeQueue deletes in-flight messages too), the broker's documentation says so and the count includes them.
    /// </summary>
    ValueTask<long> PurgeAsync(string queue, CancellationToken cancellationToken);

    /// <summary>Dead letters, oldest first, optionally only those that came from <paramref name="queue"/>.</summary>
    ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? queue, int limit, CancellationToken cancellationToken);

    ValueTask<int> DeleteDeadLettersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken);
}

/// <summary>
/// A message to send. Besides the body, it carries what a transport may need and must not parse the body for,
/// filled in by the publisher (<see cref="EnvelopeMessages"/>): all optional, since raw sends (tests, replays of
/// foreign bodies) have none.
/// </summary>
public readonly record struct OutgoingMessage(string Queue, ReadOnlyMemory<byte> Body, DateTimeOffset? NotBefore = null)
{
    /// <summary>Unique per logical send (the task id, with the attempt for a retry): what deduplicating transports key on.</summary>
    public string? MessageId { get; init; }

    /// <summary>When the message is no longer worth running; transports with a time-to-live may drop it then.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>The envelope's headers (trace context, correlation, a FIFO message group), for transports that carry them as properties.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}

/// <summary>A leased message. <see cref="Receipt"/> identifies this delivery (not the message) to the broker.</summary>
public sealed class BrokerMessage
{
    public required string Queue { get; init; }
    public required ReadOnlyMemory<byte> Body { get; init; }
    public required string Receipt { get; init; }
    /// <summary>How many times this broker message was delivered, this delivery included.</summary>
    public int DeliveryCount { get; init; } = 1;
    /// <summary>Broker-specific handle (e.g. a row id), for the broker's own use.</summary>
    public object? BrokerState { get; init; }
}

public readonly record struct QueueDepth(long Ready, long InFlight, long Delayed)
{
    public long Total => Ready + InFlight + Delayed;
}

public sealed record DeadLetter(string Id, string Queue, ReadOnlyMemory<byte> Body, string Reason, DateTimeOffset DeadLetteredAt);
