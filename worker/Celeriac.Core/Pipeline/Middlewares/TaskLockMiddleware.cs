using Celeriac.Stores;
using Celeriac.Tasks;

namespace Celeriac.Pipeline.Middlewares;

/// <summary>
/// At most one running task per lock key. The lock's owner is the task id (so a lock taken at enqueue is
/// already this task's), it is renewed while the task runs and released when it finishes; a task that finds
/// it held by another is returned to its queue for <see cref="TaskOptions.LockRetryDelay"/>.
/// </summary>
public sealed class TaskLockMiddleware(ITaskLockStore locks, TimeProvider time) : ITaskMiddleware
{
    public Task InvokeAsync(TaskContext context, TaskDelegate next) =>
        context.Options.Lock == TaskLockMode.None ? next(context) : LockedAsync(context, next);

    private async Task LockedAsync(TaskContext context, TaskDelegate next)
    {
        var options = context.Options;
        var key = TaskLockKey.For(context.TaskName, context.Envelope.Args);
        var owner = context.TaskId;
        if (await locks.AcquireAsync(key, owner, options.LockTtl, context.CancellationToken).ConfigureAwait(false) != owner)
        {
            context.Release(options.LockRetryDelay);
            return;
        }
        using var stopRenewing = new CancellationTokenSource();
        var renewal = RenewAsync(key, owner, options.LockTtl, stopRenewing.Token);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            await stopRenewing.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(false);
            // A retry of a task locked at enqueue keeps the lock: it is the same task, still pending.
            if (!(options.Lock == TaskLockMode.SkipAtEnqueue && context.Outcome == TaskOutcome.Retried))
                await locks.ReleaseAsync(key, owner, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task RenewAsync(string key, string owner, TimeSpan ttl, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(ttl / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try { await locks.AcquireAsync(key, owner, ttl, stop).ConfigureAwait(false); }
                catch (Exception ex) when (ex is not OperationCanceledException) { }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
