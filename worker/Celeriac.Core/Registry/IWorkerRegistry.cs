namespace Celeriac.Registry;

/// <summary>The workers' entries in the store, each until it is not renewed for a while.</summary>
public interface IWorkerRegistry
{
    /// <summary>Writes the worker's entry; it disappears <paramref name="keepFor"/> after this unless written again.</summary>
    ValueTask HeartbeatAsync(WorkerInfo worker, TimeSpan keepFor, CancellationToken cancellationToken);

    /// <summary>Every entry that has not expired (one per worker process of the last minutes), in no particular order.</summary>
    ValueTask<IReadOnlyList<WorkerInfo>> ListAsync(CancellationToken cancellationToken);
}
