using Celeriac.Pipeline;

namespace Celeriac.Expiry;

/// <summary>
/// Expiry (<c>expires</c>, Celery's): when a task is sent without an expiry of its own, the task type's default
/// (<see cref="Tasks.TaskOptions.Expires"/>) is set from the send time; a message received after its expiry is
/// acknowledged, counted and not run.
/// </summary>
public sealed class ExpiryMiddleware(TimeProvider time) : ITaskMiddleware, IEnqueueMiddleware
{
    public Task InvokeAsync(EnqueueBatch batch, EnqueueDelegate next)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var now = time.GetUtcNow();
        foreach (var task in batch.Tasks)
            if (task.Envelope.Expires is null && task.Options?.Expires is { } expiresIn)
                task.Envelope = task.Envelope with { Expires = now + expiresIn };
        return next(batch);
    }

    public Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
    {
        ArgumentNullException.ThrowIfNull(execution);
        return execution.Envelope.Expires is { } expires && expires <= time.GetUtcNow()
            ? Task.FromResult(Settlement.Expired)
            : next(execution);
    }
}
