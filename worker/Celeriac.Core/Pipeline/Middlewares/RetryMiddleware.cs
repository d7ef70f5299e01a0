using Celeriac.Client;
using Celeriac.Tasks;

namespace Celeriac.Pipeline.Middlewares;

/// <summary>
/// Turns a failure into a retry (a delayed re-send of the envelope with attempt + 1, so it survives
/// the worker's death) or, when retries are exhausted or the exception is not retryable, a dead letter.
/// </summary>
public sealed class RetryMiddleware(TaskPublisher publisher) : ITaskMiddleware
{
    public async Task InvokeAsync(TaskContext context, TaskDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.WorkerAbort.IsCancellationRequested)
        {
            // The worker is shutting down past its grace period: give the message back, unused.
            context.Release(TimeSpan.Zero);
        }
        catch (Exception exception)
        {
            context.Exception = exception;
            var options = context.Options;
            var retryable = exception is RetryTaskException || options.ShouldRetry(exception);
            if (retryable && context.Attempt < options.MaxRetries)
            {
                var delay = (exception as RetryTaskException)?.Delay ?? RetryBackoff.Compute(context.Attempt, options, Random.Shared);
                await publisher.RepublishAsync(context.Envelope with { Attempt = context.Attempt + 1 }, delay, CancellationToken.None).ConfigureAwait(false);
                context.Ack();
                context.Outcome = TaskOutcome.Retried;
            }
            else
            {
                var why = exception is RejectTaskException ? "rejected by the task"
                    : !retryable ? "not retryable"
                    : $"max retries ({options.MaxRetries}) exceeded";
                context.DeadLetter($"{why}: {exception.GetType().Name}: {exception.Message}");
            }
        }
    }
}

/// <summary>Exponential backoff with jitter: base × 2^attempt, capped, drawn from [d/2, d] when jitter is on.</summary>
public static class RetryBackoff
{
    public static TimeSpan Compute(int attempt, TaskOptions options, Random random) =>
        Backoff.Exponential(attempt, options.RetryBackoff, options.RetryBackoffMax, options.RetryJitter ? random : null);
}
