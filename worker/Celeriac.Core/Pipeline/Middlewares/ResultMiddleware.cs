using System.Text.Json;
using Celeriac.Stores;
using Microsoft.Extensions.Logging;

namespace Celeriac.Pipeline.Middlewares;

/// <summary>Stores the final result or failure of tasks that keep results (not a failure that will be retried).</summary>
public sealed partial class ResultMiddleware(IResultStore results, TimeProvider time, ILogger<ResultMiddleware> logger) : ITaskMiddleware
{
    public Task InvokeAsync(TaskContext context, TaskDelegate next) =>
        context.Options.StoreResult ?? context.Descriptor.ResultType is not null ? StoringAsync(context, next) : next(context);

    private async Task StoringAsync(TaskContext context, TaskDelegate next)
    {
        var descriptor = context.Descriptor;
        await next(context).ConfigureAwait(false);
        TaskResult? result = context.Outcome switch
        {
            TaskOutcome.Succeeded => new TaskResult(context.TaskId, true,
                descriptor.ResultType is null ? null : JsonSerializer.Serialize(context.Result, descriptor.ResultType), null, null, time.GetUtcNow()),
            TaskOutcome.Failed or TaskOutcome.DeadLettered => new TaskResult(context.TaskId, false, null,
                context.Exception?.GetType().FullName ?? "Celeriac.DeadLettered", context.Exception?.Message ?? context.DeadLetterReason, time.GetUtcNow()),
            _ => null,
        };
        if (result is null) return;
        try
        {
            await results.SetAsync(result, context.Options.ResultExpires, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogStoreFailed(ex, context.TaskName, context.TaskId);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Storing the result of task {Task} {TaskId} failed")]
    private partial void LogStoreFailed(Exception exception, string task, string taskId);
}
