namespace Celeriac.Client;

/// <summary>Enqueues tasks. Every method returns once the broker has the message(s).</summary>
public interface ITaskClient
{
    /// <summary>Enqueues the task registered for <typeparamref name="TArgs"/>; returns the task id.</summary>
    Task<string> EnqueueAsync<TArgs>(TArgs args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : notnull;

    /// <summary>
    /// Enqueues the task <typeparamref name="TTask"/> (for task types that share an argument record); returns the task id.
    /// <paramref name="args"/> must be the task's argument record.
    /// </summary>
    Task<string> EnqueueAsync<TTask>(object args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TTask : class;

    /// <summary>Enqueues a task by name (for producers that do not reference the task type); returns the task id.</summary>
    Task<string> EnqueueAsync(string taskName, object args, EnqueueOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Enqueues one task per item in broker batches, reading the source lazily so memory stays bounded
    /// by one batch. Returns how many were enqueued.
    /// </summary>
    Task<long> EnqueueManyAsync<TArgs>(IAsyncEnumerable<TArgs> items, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : notnull;

    /// <summary>By task name; see <see cref="EnqueueManyAsync{TArgs}(IAsyncEnumerable{TArgs}, EnqueueOptions?, CancellationToken)"/>.</summary>
    Task<long> EnqueueManyAsync<TArgs>(string taskName, IAsyncEnumerable<TArgs> items, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : notnull;
}
