using System.Text.Json;
using Celeriac.Workflows;

namespace Celeriac.Pipeline.Middlewares;

/// <summary>
/// Moves a workflow on once one of its steps has its final outcome: after a success, sends the next chain step or
/// records the group member (the member completing a chord sends the callback); after a final failure (not a retry),
/// fails the workflow with the step where it stopped. It runs before the message is acknowledged, so a crash in between
/// redelivers the step, which then re-sends its successors under the same (derived) task ids.
/// </summary>
public sealed class WorkflowMiddleware(WorkflowRunner runner) : ITaskMiddleware
{
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
        }
    }
}
