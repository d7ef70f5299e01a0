using Celeriac.Pipeline;

namespace Celeriac.Revocation;

/// <summary>
/// A revoked task (by id, or by name for tasks created before the name was revoked) is discarded when received, and so
/// is a step of a revoked workflow (its root id); a task revoked while it runs has its cancellation token cancelled (by
/// <see cref="RevocationWatcher"/>, which polls the store), and ends as revoked, not as a failure to retry.
/// </summary>
public sealed class RevocationMiddleware(RevocationWatcher watcher) : ITaskMiddleware
{
    public async Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(next);
        if (IsRevoked(execution) || execution.Envelope.Root is { } root && watcher.IsRevoked(root)) return Settlement.Revoked;
        using var revoked = CancellationTokenSource.CreateLinkedTokenSource(execution.CancellationToken);
        var outer = execution.CancellationToken;
        execution.CancellationToken = revoked.Token;
        Settlement settlement;
        try
        {
            using (watcher.Track(execution.TaskId, execution.TaskName, execution.Envelope.Created, revoked))
                settlement = await next(execution).ConfigureAwait(false);
        }
        finally
        {
            execution.CancellationToken = outer;
        }
        // Cancelled because it was revoked: done, not a failure to retry or dead-letter.
        return settlement is Settlement.Retry or Settlement.DeadLettered && IsRevoked(execution) ? Settlement.Revoked : settlement;
    }

    private bool IsRevoked(TaskExecution execution) => watcher.IsRevoked(execution.TaskId, execution.TaskName, execution.Envelope.Created);
}
