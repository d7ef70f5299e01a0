using Celeriac.Worker;

namespace Celeriac.Pipeline.Middlewares;

/// <summary>For tasks with AcksLate = false: acknowledge before running (at-most-once).</summary>
public sealed class AcksEarlyMiddleware(AckBatcher acks) : ITaskMiddleware
{
    public async Task InvokeAsync(TaskContext context, TaskDelegate next)
    {
        if (!context.Options.AcksLate)
        {
            // At-most-once: the message is deleted before the task starts, not merely queued for deletion.
            await acks.Enqueue(context.Message).ConfigureAwait(false);
            context.Settled = true;
        }
        await next(context).ConfigureAwait(false);
    }
}
