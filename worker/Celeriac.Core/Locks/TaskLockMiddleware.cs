using Celeriac.Pipeline;

namespace Celeriac.Locks;

/// <summary>
/// Task locks (<see cref="Tasks.TaskOptions.Lock"/>): at most one running instance per lock key. The lock's owner is
/// the task id. At enqueue (<see cref="TaskLockMode.SkipAtEnqueue"/>) the lock is taken for the new task, and a
/// duplicate sent while it is held is withheld (its caller gets the holder's id); a send that fails gives back what
/// it took. At run, the lock is taken (or found already this task's), renewed while the task runs and released when
/// it ends; a task that finds it held by another is handed back for <see cref="Tasks.TaskOptions.LockRetryDelay"/>.
/// </summary>
public sealed class TaskLockMiddleware(ITaskLockStore locks, TimeProvider time) : ITaskMiddleware, IEnqueueMiddleware
{
    public async Task InvokeAsync(EnqueueBatch batch, EnqueueDelegate next)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(next);
        var taken = new List<(string Key, string Owner)>();
        foreach (var task in batch.Tasks)
        {
            if (task.Options is not { Lock: TaskLockMode.SkipAtEnqueue } options) continue;
            var key = TaskLockKey.For(task.Envelope.Task, task.Envelope.Args, options);
            // Within one batch, a second duplicate finds the first one's lock, as it would in two sends.
            var holder = await locks.AcquireAsync(key, task.Envelope.Id, options.LockTtl, CancellationToken.None).ConfigureAwait(false);
            if (holder == task.Envelope.Id) taken.Add((key, holder));
            else task.Withhold(holder);
        }
        try
        {
            await next(batch).ConfigureAwait(false);
        }
        catch when (taken.Count > 0)
        {
            foreach (var (key, owner) in taken) await locks.ReleaseAsync(key, owner, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    public Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
    {
        ArgumentNullException.ThrowIfNull(execution);
        return execution.Options.Lock == TaskLockMode.None ? next(execution) : LockedAsync(execution, next);
    }

    private async Task<Settlement> LockedAsync(TaskExecution execution, TaskDelegate next)
    {
        var options = execution.Options;
        var key = TaskLockKey.For(execution.TaskName, execution.Envelope.Args, options);
        var owner = execution.TaskId;
        if (await locks.AcquireAsync(key, owner, options.LockTtl, execution.CancellationToken).ConfigureAwait(false) != owner)
            return new Settlement.Released(options.LockRetryDelay, ReleaseReason.LockHeld);
        using var stopRenewing = new CancellationTokenSource();
        var renewal = RenewAsync(key, owner, options.LockTtl, stopRenewing.Token);
        var settlement = default(Settlement);
        try
        {
            settlement = await next(execution).ConfigureAwait(false);
            return settlement;
        }
        finally
        {
            await stopRenewing.CancelAsync().ConfigureAwait(false);
            await renewal.ConfigureAwait(false);
            // A retry of a task locked at enqueue keeps the lock: it is the same task, still pending.
            if (!(options.Lock == TaskLockMode.SkipAtEnqueue && settlement is Settlement.Retry))
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
