using Celeriac.Client;
using Celeriac.Stores;
using Celeriac.Worker;
using Microsoft.Extensions.Logging;

namespace Celeriac.Pipeline.Middlewares;

/// <summary>
/// A revoked task (by id, or by name for tasks created before the name was revoked) is discarded when received, and so is a
/// step of a revoked workflow (its root id); a task revoked while it runs has its cancellation token
/// cancelled (by <see cref="RevocationWatcher"/>, which polls the store). A task that keeps results gets a
/// "revoked" result, so that whoever waits on its handle learns it at once.
/// </summary>
public sealed partial class RevocationMiddleware(RevocationWatcher watcher, IResultStore results, TimeProvider time, ILogger<RevocationMiddleware> logger) : ITaskMiddleware
{
    public async Task InvokeAsync(TaskContext context, TaskDelegate next)
    {
        var started = watcher.EnsureStartedAsync();
        if (!started.IsCompletedSuccessfully) await started.ConfigureAwait(false);
        if (watcher.IsRevoked(context.TaskId, context.TaskName, context.Envelope.Created) || context.Envelope.Root is { } root && watcher.IsRevoked(root))
        {
            await RevokedAsync(context).ConfigureAwait(false);
            return;
        }
        using var revoked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var outer = context.CancellationToken;
        context.CancellationToken = revoked.Token;
        try
        {
            using (watcher.Track(context.TaskId, context.TaskName, context.Envelope.Created, revoked))
                await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.CancellationToken = outer;
        }
        if (watcher.IsRevoked(context.TaskId, context.TaskName, context.Envelope.Created) && context.Outcome is TaskOutcome.Retried or TaskOutcome.Failed or TaskOutcome.DeadLettered)
        {
            // Cancelled because it was revoked: done, not a failure to retry or dead-letter.
            await RevokedAsync(context).ConfigureAwait(false);
        }
    }

    private async Task RevokedAsync(TaskContext context)
    {
        context.Ack();
        context.Outcome = TaskOutcome.Revoked;
        if (!(context.Options.StoreResult ?? context.Descriptor.ResultType is not null)) return;
        try
        {
            var result = new TaskResult(context.TaskId, false, null, TaskRevokedException.ResultType, "revoked", time.GetUtcNow());
            await results.SetAsync(result, context.Options.ResultExpires, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogStoreFailed(ex, context.TaskName, context.TaskId);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Storing the revoked result of task {Task} {TaskId} failed")]
    private partial void LogStoreFailed(Exception exception, string task, string taskId);
}
