namespace Celeriac.Results;

/// <summary>
/// A place besides the store where the outcome of a task may be found: a Celery result backend, for tasks that Celery
/// workers run. A <see cref="TaskHandle"/> looks in the store first, then in each source in registration order.
/// </summary>
public interface IResultSource
{
    /// <summary>The task's final outcome, or null while it has none here.</summary>
    ValueTask<TaskResult?> GetAsync(string taskId, CancellationToken cancellationToken);
}
