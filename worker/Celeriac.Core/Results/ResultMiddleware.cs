using Celeriac.Pipeline;
using Celeriac.Revocation;
using Microsoft.Extensions.Logging;

namespace Celeriac.Results;

/// <summary>
/// Stores how a task that keeps results (<see cref="Tasks.TaskOptions.StoreResult"/>, by default one that returns a
/// value) ended for good: its result, its failure, or that it was revoked. Not a failure about to be retried, not a
/// hand-back.
/// </summary>
public sealed partial class ResultMiddleware(IResultStore results, TimeProvider time, ILogger<ResultMiddleware> logger) : ITaskMiddleware
{
    public async Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(next);
        var settlement = await next(execution).ConfigureAwait(false);
        if (!(execution.Options.StoreResult ?? execution.Descriptor.ResultType is not null)) return settlement;
        TaskResult? result = settlement switch
        {
            Settlement.Succeeded s => new TaskResult(execution.TaskId, true, ResultJson.Serialize(s.Result, execution.Descriptor.ResultType), null, null, time.GetUtcNow()),
            Settlement.DeadLettered d => new TaskResult(execution.TaskId, false, null,
                d.Failure?.GetType().FullName ?? "Celeriac.DeadLettered", d.Failure?.Message ?? d.Reason, time.GetUtcNow()),
            Settlement.Discarded { Why: DiscardReason.Revoked } => new TaskResult(execution.TaskId, false, null, TaskRevokedException.ResultType, "revoked", time.GetUtcNow()),
            _ => null,
        };
        if (result is null) return settlement;
        try
        {
            await results.SetAsync(result, execution.Options.ResultExpires, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogStoreFailed(ex, execution.TaskName, execution.TaskId);
        }
        return settlement;
    }

    [LoggerMessage(LogLevel.Warning, "Storing the result of task {Task} {TaskId} failed")]
    private partial void LogStoreFailed(Exception exception, string task, string taskId);
}
