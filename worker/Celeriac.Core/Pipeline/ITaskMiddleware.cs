namespace Celeriac.Pipeline;

/// <summary>The rest of the pipeline, down to the task: returns how the execution ended.</summary>
public delegate Task<Settlement> TaskDelegate(TaskExecution execution);

/// <summary>
/// One concern of running a task (retries, time limits, expiry, metrics...): calls <c>next</c> or not, and returns how
/// the execution ended, the settlement <c>next</c> returned or one that replaces it. Singletons. A middleware that also
/// acts when tasks are sent implements <see cref="IEnqueueMiddleware"/> too, in the same class.
/// </summary>
public interface ITaskMiddleware
{
    Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next);
}
