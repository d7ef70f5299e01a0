using Celeriac.Pipeline;

namespace Celeriac.RateLimits;

/// <summary>
/// Global rate limit per task type (<see cref="Tasks.TaskOptions.RateLimit"/>). A task gets the next free slot of its
/// type from the store; one due within <see cref="InlineWait"/> waits here, a later one is handed back to its queue
/// until its slot (not failed, no attempt used), so the worker's slots keep serving other task types meanwhile.
/// </summary>
public sealed class RateLimitMiddleware(IRateLimiter limiter, TimeProvider time) : ITaskMiddleware
{
    internal static readonly TimeSpan InlineWait = TimeSpan.FromMilliseconds(100);

    public Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
    {
        ArgumentNullException.ThrowIfNull(execution);
        return string.IsNullOrWhiteSpace(execution.Options.RateLimit) ? next(execution) : LimitedAsync(execution, next);
    }

    private async Task<Settlement> LimitedAsync(TaskExecution execution, TaskDelegate next)
    {
        var limit = RateLimit.Parse(execution.Options.RateLimit!);
        var ticket = FormattableString.Invariant($"{execution.TaskId}:{execution.Attempt}");
        var wait = await limiter.ReserveAsync("rate:" + execution.TaskName, limit, ticket, InlineWait, execution.CancellationToken).ConfigureAwait(false);
        if (wait > InlineWait) return new Settlement.Released(wait, ReleaseReason.RateLimited);
        if (wait > TimeSpan.Zero) await Task.Delay(wait, time, execution.CancellationToken).ConfigureAwait(false);
        return await next(execution).ConfigureAwait(false);
    }
}
