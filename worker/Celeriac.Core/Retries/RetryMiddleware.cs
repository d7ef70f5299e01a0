using Celeriac.Pipeline;
using Celeriac.Tasks;

namespace Celeriac.Retries;

/// <summary>
/// Turns a failure into a retry (the dispatcher re-sends the envelope with attempt + 1 after the backoff, so it survives
/// the worker's death) or, when retries are exhausted or the exception is not retryable, a dead letter. A task cut off
/// by the end of the worker's shutdown grace is handed back unrun.
/// </summary>
public sealed class RetryMiddleware : ITaskMiddleware
{
    public async Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(execution).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (execution.WorkerAbort.IsCancellationRequested)
        {
            return new Settlement.Released(TimeSpan.Zero, ReleaseReason.Interrupted);
        }
        catch (Exception exception)
        {
            var options = execution.Options;
            var retryable = exception is RetryTaskException || options.ShouldRetry(exception);
            if (retryable && execution.Attempt < options.MaxRetries)
                return new Settlement.Retry((exception as RetryTaskException)?.Delay ?? RetryBackoff.Compute(execution.Attempt, options, Random.Shared), exception);
            var why = exception is RejectTaskException ? "rejected by the task"
                : !retryable ? "not retryable"
                : $"max retries ({options.MaxRetries}) exceeded";
            return new Settlement.DeadLettered($"{why}: {exception.GetType().Name}: {exception.Message}", exception);
        }
    }
}

/// <summary>The delay before a retry: <see cref="Backoff.Exponential"/> with the task's settings.</summary>
public static class RetryBackoff
{
    public static TimeSpan Compute(int attempt, TaskOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Backoff.Exponential(attempt, options.RetryBackoff, options.RetryBackoffMax, options.RetryJitter ? random : null);
    }
}
