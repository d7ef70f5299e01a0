using Celeriac.Pipeline;
using Celeriac.Worker;

namespace Celeriac.TimeLimits;

/// <summary>
/// Soft limit: cancels the task's token. Hard limit: a task still running is abandoned (its message is
/// settled as failed, so it is never run twice) and the worker is recycled, since the runaway task
/// keeps a thread and cannot be stopped from outside.
/// </summary>
public sealed class TimeLimitMiddleware(IWorkerLifetime lifetime) : ITaskMiddleware
{
    public async Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(next);
        var soft = execution.SoftTimeLimit;
        var hard = execution.HardTimeLimit;
        if (soft is null && hard is null) return await next(execution).ConfigureAwait(false);

        var outer = execution.CancellationToken;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(outer);
        if (soft is { } s) limit.CancelAfter(s);
        execution.CancellationToken = limit.Token;
        try
        {
            // With a hard limit the task starts on the thread pool, so that one blocking its thread
            // (sync I/O, a CPU loop) cannot hold this method hostage until it finishes by itself.
            var run = hard is null ? next(execution) : Task.Run(() => next(execution));
            if (hard is { } h && !run.IsCompleted)
            {
                using var timer = new CancellationTokenSource();
                var finished = await Task.WhenAny(run, Task.Delay(h, timer.Token)).ConfigureAwait(false);
                await timer.CancelAsync().ConfigureAwait(false);
                if (finished != run)
                {
                    await limit.CancelAsync().ConfigureAwait(false);
                    _ = run.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
                    lifetime.RequestRecycle(WorkerExitCodes.HardTimeLimit, $"task {execution.TaskName} {execution.TaskId} exceeded its hard time limit of {h.TotalSeconds:0.###}s");
                    throw new HardTimeLimitExceededException(h);
                }
            }
            return await run.ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (soft is not null && limit.IsCancellationRequested && !outer.IsCancellationRequested)
        {
            throw new SoftTimeLimitExceededException(soft.Value, ex);
        }
        finally
        {
            execution.CancellationToken = outer;
        }
    }
}
