using Celeriac.Pipeline;
using Celeriac.Results;
using Celeriac.Revocation;

namespace Celeriac.Workflows;

/// <summary>
/// Moves a workflow on once one of its steps has its final settlement: after a success, sends the next chain step or
/// records the group member (the member completing a chord sends the callback); after a final failure, a revocation or
/// an expiry, fails the workflow with the step where it stopped. A retry or a hand-back is no final settlement: the
/// step runs again. It acts before the message is acknowledged, so a crash in between redelivers the step, which then
/// re-sends its successors under the same (derived) task ids.
/// </summary>
public sealed class WorkflowMiddleware(WorkflowRunner runner) : ITaskMiddleware
{
    /// <summary>The exception type recorded for a workflow whose step expired before it ran.</summary>
    public const string ExpiredResultType = "Celeriac.Expired";

    public async Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(next);
        var settlement = await next(execution).ConfigureAwait(false);
        if (execution.Envelope.Root is null) return settlement;
        switch (settlement)
        {
            case Settlement.Succeeded s:
                await runner.ContinueAsync(execution.Envelope, ResultJson.Serialize(s.Result, execution.Descriptor.ResultType), CancellationToken.None).ConfigureAwait(false);
                break;
            case Settlement.DeadLettered d:
                await runner.FailAsync(execution.Envelope, d.Failure?.GetType().FullName, d.Failure?.Message ?? d.Reason, CancellationToken.None).ConfigureAwait(false);
                break;
            case Settlement.Discarded { Why: DiscardReason.Revoked }:
                await runner.FailAsync(execution.Envelope, TaskRevokedException.ResultType, "revoked", CancellationToken.None).ConfigureAwait(false);
                break;
            case Settlement.Discarded { Why: DiscardReason.Expired }:
                await runner.FailAsync(execution.Envelope, ExpiredResultType, "expired before it ran", CancellationToken.None).ConfigureAwait(false);
                break;
        }
        return settlement;
    }
}
