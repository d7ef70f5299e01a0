using Celeriac.Brokers;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Autoscaling;

/// <summary>Where the autoscaler reads the depth of a TaskQueue's queues; a failure to reach the broker throws.</summary>
public interface IQueueDepthSource
{
    Task<IReadOnlyDictionary<string, QueueDepth>> ReadAsync(TaskQueue queue, IReadOnlyCollection<string> queues, CancellationToken cancellationToken);

    /// <summary>Per queue, how long its oldest ready message has waited (<see cref="IBroker.GetOldestReadyAgeAsync"/>); null where none is ready or the broker cannot tell.</summary>
    Task<IReadOnlyDictionary<string, TimeSpan?>> ReadOldestReadyAgesAsync(TaskQueue queue, IReadOnlyCollection<string> queues, CancellationToken cancellationToken);

    /// <summary>The TaskQueue was deleted: release what reading its depth holds (its broker connection).</summary>
    Task ForgetAsync(NamespacedName key);
}
