using Celeriac.Stores;

namespace Celeriac.Pipeline.Middlewares;

/// <summary>
/// Global rate limit per task type. A task gets the next free slot of its type from the store; one due within
/// <see cref="InlineWait"/> waits here, a later one is returned to the queue until its slot (not failed, no
/// attempt used), so the worker's slots keep serving other task types meanwhile.
/// </summary>
public sealed class RateLimitMiddleware(IRateLimiter limiter, TimeProvider time) : ITaskMiddleware
{
    internal static readonly TimeSpan InlineWait = TimeSpan.FromMilliseconds(100);

    public Task InvokeAsync(TaskContext context, TaskDelegate next) =>
        string.IsNullOrWhiteSpace(context.Options.RateLimit) ? next(context) : LimitedAsync(context, next);

    private async Task LimitedAsync(TaskContext context, TaskDelegate next)
    {
        var limit = RateLimit.Parse(context.Options.RateLimit!);
        var ticket = FormattableString.Invariant($"{context.TaskId}:{context.Attempt}");
        var wait = await limiter.ReserveAsync("rate:" + context.TaskName, limit, ticket, InlineWait, context.CancellationToken).ConfigureAwait(false);
        if (wait > InlineWait)
        {
            context.Release(wait);
            context.Outcome = TaskOutcome.RateLimited;
            return;
        }
        if (wait > TimeSpan.Zero) await Task.Delay(wait, time, context.CancellationToken).ConfigureAwait(false);
        await next(context).ConfigureAwait(false);
    }
}
