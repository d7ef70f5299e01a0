using Celeriac.Operator.Brokers;
using Celeriac.Operator.Model;
using Celeriac.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Operator.Autoscaling.ScaleIn;

/// <summary>
/// The workers' registry in the TaskQueue's store, through the operator's own connection of it (<see cref="TaskQueueBrokers"/>:
/// the store settings its workers get). A TaskQueue whose workers share no store (SQS or Service Bus without
/// <c>spec.store</c>) keeps its registry inside each worker, which the operator cannot read.
/// </summary>
public sealed class RegistryWorkerSource(TaskQueueBrokers brokers) : IWorkerSource
{
    public async Task<IReadOnlyList<WorkerInfo>> ListAsync(TaskQueue queue, CancellationToken cancellationToken)
    {
        var connection = await brokers.GetAsync(queue, cancellationToken).ConfigureAwait(false);
        var registry = connection.Services.GetRequiredService<IWorkerRegistry>();
        if (registry is InMemoryWorkerRegistry)
            throw new InvalidOperationException("the workers share no store (set spec.store.redis, or use a broker with one), so the operator cannot see which are busy");
        return await registry.ListAsync(cancellationToken).ConfigureAwait(false);
    }
}
