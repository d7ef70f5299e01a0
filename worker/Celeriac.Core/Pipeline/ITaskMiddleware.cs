namespace Celeriac.Pipeline;

public delegate Task TaskDelegate(TaskContext context);

/// <summary>One concern of task execution (retries, time limits, expiry, metrics...). Singletons.</summary>
public interface ITaskMiddleware
{
    Task InvokeAsync(TaskContext context, TaskDelegate next);
}
