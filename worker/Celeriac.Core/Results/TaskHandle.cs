using Celeriac.Revocation;

namespace Celeriac.Results;

/// <summary>
/// A handle on an enqueued task: wait for its result, typed, or for the exception that failed it. The outcome is looked
/// for in the store, then in the other <paramref name="sources"/> (a Celery result backend).
/// </summary>
public sealed class TaskHandle(string taskId, IResultStore results, TimeProvider time, IReadOnlyList<IResultSource>? sources = null)
{
    public string TaskId { get; } = taskId;

    /// <summary>The stored outcome once there is one, or null when <paramref name="timeout"/> ran out first.</summary>
    public async Task<TaskResult?> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        for (var polls = 0; ; polls++)
        {
            var result = await results.GetAsync(TaskId, cancellationToken).ConfigureAwait(false);
            for (var i = 0; result is null && sources is not null && i < sources.Count; i++)
                result = await sources[i].GetAsync(TaskId, cancellationToken).ConfigureAwait(false);
            if (result is not null) return result;
            var left = timeout - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) return null;
            var pause = Backoff.Exponential(polls, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(200));
            await Task.Delay(pause < left ? pause : left, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The task's result as <typeparamref name="T"/>. Throws <see cref="TaskFailedException"/> when the task failed
    /// for good, <see cref="TaskRevokedException"/> when it was revoked, and <see cref="TimeoutException"/> when it has
    /// not finished within <paramref name="timeout"/>.
    /// </summary>
    public async Task<T?> GetResultAsync<T>(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var result = await WaitAsync(timeout, cancellationToken).ConfigureAwait(false)
            ?? throw new TimeoutException($"Task {TaskId} has no result after {timeout.TotalSeconds:0.###}s.");
        if (!result.Succeeded && result.ExceptionType == TaskRevokedException.ResultType) throw new TaskRevokedException(TaskId);
        if (!result.Succeeded) throw new TaskFailedException(TaskId, result.ExceptionType, result.ExceptionMessage);
        return result.ResultJson is null ? default : ResultJson.Deserialize<T>(result.ResultJson);
    }
}
