using Celeriac.Pipeline;

namespace Celeriac.Worker;

/// <summary>For tasks with <see cref="Tasks.TaskOptions.AcksLate"/> off: the message is deleted before the task runs (at-most-once).</summary>
public sealed class AcksEarlyMiddleware : ITaskMiddleware
{
    public async Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(next);
        if (!execution.Options.AcksLate) await execution.AcknowledgeEarlyAsync().ConfigureAwait(false);
        return await next(execution).ConfigureAwait(false);
    }
}
