namespace Celeriac.Pipeline.Middlewares;

/// <summary>A message received after its <c>expires</c> time is acknowledged, counted and not run.</summary>
public sealed class ExpiryMiddleware(TimeProvider time) : ITaskMiddleware
{
    public Task InvokeAsync(TaskContext context, TaskDelegate next)
    {
        if (context.Envelope.Expires is { } expires && expires <= time.GetUtcNow())
        {
            context.Ack();
            context.Outcome = TaskOutcome.Expired;
            return Task.CompletedTask;
        }
        return next(context);
    }
}
