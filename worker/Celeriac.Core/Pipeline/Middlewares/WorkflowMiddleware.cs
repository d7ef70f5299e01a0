using System.Text.Json;
using Celeriac.Client;
using Celeriac.Workflows;

namespace Celeriac.Pipeline.Middlewares;

/// <summary>
/// Moves a workflow on once one of its steps has its final outcome: after a success, sends the next chain step or
/// records the group member (the member completing a chord sends the callback); after a final failure (not a retry),
/// a revocation or an expiry, fails the workflow with the step where it stopped. A release (rate limit, lock, shutdown)
/// is no outcome: the step runs later. It runs before the message is acknowledged, so a crash in between
/// redelivers the step, which then re-sends its successors under the same (derived) task ids.
/// </summary>
public sealed class WorkflowMiddleware(WorkflowRunner runner) : ITaskMiddleware
{
    /// <summary>The exception type recorded for a workflow whose step expired before it ran.</summary>
    public const string ExpiredResultType = "Celeriac.Expired";

    public async Task InvokeAsync(TaskContext context, TaskDelegate next)
    {
        await next(context).ConfigureAwait(false);
        if (context.Envelope.Root is null) return;
        switch (context.Outcome)
        {
            case TaskOutcome.Succeeded:
                var type = context.Descriptor.ResultType;
                var json = type is null ? "null" : JsonSerializer.Serialize(context.Result, type);
                await runner.ContinueAsync(context.Envelope, json, CancellationToken.None).ConfigureAwait(false);
                break;
            case TaskOutcome.Failed or TaskOutcome.DeadLettered:
                await runner.FailAsync(context.Envelope, context.Exception?.GetType().FullName, context.Exception?.Message ?? context.DeadLetterReason,
                    CancellationToken.None).ConfigureAwait(false);
                break;
            case TaskOutcome.Revoked:
                await runner.FailAsync(context.Envelope, TaskRevokedException.ResultType, "revoked", CancellationToken.None).ConfigureAwait(false);
                break;
            case TaskOutcome.Expired:
                await runner.FailAsync(context.Envelope, ExpiredResultType, "expired before it ran", CancellationToken.None).ConfigureAwait(false);
                break;
        }
    }
}
