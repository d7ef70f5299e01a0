using Celeriac.Worker;

namespace Celeriac.Pipeline.Middlewares;

/// <summary>
/// A revoked task is discarded when received; a task revoked while it runs has its cancellation token
/// cancelled (by <see cref="RevocationWatcher"/>, which polls the store).
/// </summary>
public sealed class RevocationMiddleware(RevocationWatcher watcher) : ITaskMiddleware
{
    public async Task InvokeAsync(TaskContext context, TaskDelegate next)
    {
        await watcher.EnsureStartedAsync().ConfigureAwait(false);
        if (watcher.IsRevoked(context.TaskId))
        {
            context.Ack();
            context.Outcome = TaskOutcome.Revoked;
            return;
        }
        using var revoked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var outer = context.CancellationToken;
        context.CancellationToken = revoked.Token;
        try
        {
            using (watcher.Track(context.TaskId, revoked))
                await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.CancellationToken = outer;
        }
        if (watcher.IsRevoked(context.TaskId) && context.Outcome is TaskOutcome.Retried or TaskOutcome.Failed or TaskOutcome.DeadLettered)
        {
            // Cancelled because it was revoked: done, not a failure to retry or dead-letter.
            context.Ack();
            context.Outcome = TaskOutcome.Revoked;
        }
    }
}
