namespace Celeriac.Results;

/// <summary>Task results (or failures) by task id, each kept until its expiry.</summary>
public interface IResultStore
{
    ValueTask SetAsync(TaskResult result, TimeSpan expiry, CancellationToken cancellationToken);

    /// <summary>The result, or null when the task has not finished (or its result expired).</summary>
    ValueTask<TaskResult?> GetAsync(string taskId, CancellationToken cancellationToken);
}
