using Celeriac.Brokers;
using Celeriac.Control;
using Celeriac.Pipeline;

namespace Celeriac.RateLimits;

/// <summary>
/// Global rate limit per task type (<see cref="Tasks.TaskOptions.RateLimit"/>). A task gets the next free slot of its
/// type from the store; one due within <see cref="InlineWait"/> waits here, a later one is handed back to its queue
/// until its slot (not failed, no attempt used), so the worker's slots keep serving other task types meanwhile. A rate
/// limit set through control (<see cref="ControlState"/>) replaces the configured one from the next task on.
/// On a broker that delays in whole steps (<see cref="IBroker.DelayResolution"/>; SQS: seconds) a task is handed back
/// for whole steps only and waits the rest here: handed back for the rounded-up delay, it would return up to a step
/// after its slot, and tasks whose slots passed meanwhile would start together.
/// </summary>
public sealed class RateLimitMiddleware(IRateLimiter limiter, ControlState control, IBroker broker, TimeProvider time) : ITaskMiddleware
{
    internal static readonly TimeSpan InlineWait = TimeSpan.FromMilliseconds(100);

    public Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
    {
        ArgumentNullException.ThrowIfNull(execution);
        if (control.TryGetRateLimit(execution.TaskName, out var overridden))
            return overridden is { } set ? LimitedAsync(execution, set, next) : next(execution);
        return string.IsNullOrWhiteSpace(execution.Options.RateLimit) ? next(execution) : LimitedAsync(execution, RateLimit.Parse(execution.Options.RateLimit), next);
    }

    private async Task<Settlement> LimitedAsync(TaskExecution execution, RateLimit limit, TaskDelegate next)
    {
        var ticket = FormattableString.Invariant($"{execution.TaskId}:{execution.Attempt}");
        var step = broker.DelayResolution;
        var inline = step > InlineWait ? step : InlineWait;
        var wait = await limiter.ReserveAsync("rate:" + execution.TaskName, limit, ticket, inline, execution.CancellationToken).ConfigureAwait(false);
        if (wait > inline) return new Settlement.Released(step > TimeSpan.Zero ? wait - TimeSpan.FromTicks(wait.Ticks % step.Ticks) : wait, ReleaseReason.RateLimited);
        if (wait > TimeSpan.Zero) await Task.Delay(wait, time, execution.CancellationToken).ConfigureAwait(false);
        return await next(execution).ConfigureAwait(false);
    }
}
