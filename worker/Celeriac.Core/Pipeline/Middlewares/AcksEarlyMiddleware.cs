using Celeriac.Worker;

namespace Celeriac.Pipeline.Middlewares;

/// <summary>For tasks with AcksLate = false: acknowledge before running (at-most-once).</summary>
public sealed class AcksEarlyMiddleware(AckBatcher acks) : ITaskMiddleware
{
    public Task InvokeAsync(TaskContext context, TaskDelegate next)
    {
        if (context.Options.AcksLate) return next(context);
        acks.Enqueue(context.Message);
        context.Settled = true;
        return next(context);
    }
}
