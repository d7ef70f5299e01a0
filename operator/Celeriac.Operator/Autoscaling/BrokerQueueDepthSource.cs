using Celeriac.Brokers;
using Celeriac.Operator.Brokers;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Autoscaling;

/// <summary>
/// Depth reads through the TaskQueue's own broker connection (<see cref="TaskQueueBrokers"/>, credentials as its
/// workers use them), one <see cref="IBroker.GetDepthAsync"/> per queue, all queues in parallel. Every broker
/// (SQLite, Redis, SQS, Service Bus) answers through the same interface, so this one class serves them all; what
/// differs per broker is KEDA's trigger in keda mode (<see cref="Keda.KedaTriggers"/>).
/// </summary>
public sealed class BrokerQueueDepthSource(TaskQueueBrokers brokers) : IQueueDepthSource
{
    public async Task<IReadOnlyDictionary<string, QueueDepth>> ReadAsync(TaskQueue queue, IReadOnlyCollection<string> queues, CancellationToken cancellationToken)
    {
        var connection = await brokers.GetAsync(queue, cancellationToken).ConfigureAwait(false);
        var reads = queues.Select(async name => (name, await connection.Broker.GetDepthAsync(name, cancellationToken).ConfigureAwait(false))).ToList();
        var results = await Task.WhenAll(reads).ConfigureAwait(false);
        return results.ToDictionary(r => r.name, r => r.Item2, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyDictionary<string, TimeSpan?>> ReadOldestReadyAgesAsync(TaskQueue queue, IReadOnlyCollection<string> queues, CancellationToken cancellationToken)
    {
        var connection = await brokers.GetAsync(queue, cancellationToken).ConfigureAwait(false);
        var reads = queues.Select(async name => (name, await connection.Broker.GetOldestReadyAgeAsync(name, cancellationToken).ConfigureAwait(false))).ToList();
        var results = await Task.WhenAll(reads).ConfigureAwait(false);
        return results.ToDictionary(r => r.name, r => r.Item2, StringComparer.Ordinal);
    }

    public Task ForgetAsync(NamespacedName key) => brokers.ForgetAsync(key);
}
