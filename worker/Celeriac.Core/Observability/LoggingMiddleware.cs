using System.Collections;
using System.Diagnostics;
using Celeriac.Envelope;
using Celeriac.Pipeline;
using Microsoft.Extensions.Logging;

namespace Celeriac.Observability;

/// <summary>Puts the task id, name and trace id in the log scope, and logs how each execution ended.</summary>
public sealed partial class LoggingMiddleware(ILogger<LoggingMiddleware> logger) : ITaskMiddleware
{
    public async Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(next);
        using var scope = logger.BeginScope(new TaskScope(execution));
        var settlement = await next(execution).ConfigureAwait(false);
        switch (settlement)
        {
            case Settlement.Succeeded: LogSucceeded(execution.TaskName, execution.TaskId, execution.Attempt); break;
            case Settlement.Retry retry: LogRetried(retry.Failure, execution.TaskName, execution.TaskId, execution.Attempt); break;
            case Settlement.Discarded { Why: DiscardReason.Expired }: LogExpired(execution.TaskName, execution.TaskId, execution.Envelope.Expires); break;
            case Settlement.Discarded: LogRevoked(execution.TaskName, execution.TaskId); break;
            case Settlement.DeadLettered dead: LogDeadLettered(dead.Failure, execution.TaskName, execution.TaskId, dead.Reason); break;
            case Settlement.Released { Why: ReleaseReason.Interrupted }: LogReleased(execution.TaskName, execution.TaskId); break;
        }
        return settlement;
    }

    [LoggerMessage(LogLevel.Debug, "Task {Task} {TaskId} succeeded (attempt {Attempt})")]
    private partial void LogSucceeded(string task, string taskId, int attempt);

    [LoggerMessage(LogLevel.Warning, "Task {Task} {TaskId} failed on attempt {Attempt} and will be retried")]
    private partial void LogRetried(Exception? exception, string task, string taskId, int attempt);

    [LoggerMessage(LogLevel.Information, "Task {Task} {TaskId} expired at {Expires} and was discarded")]
    private partial void LogExpired(string task, string taskId, DateTimeOffset? expires);

    [LoggerMessage(LogLevel.Warning, "Task {Task} {TaskId} was dead-lettered: {Reason}")]
    private partial void LogDeadLettered(Exception? exception, string task, string taskId, string? reason);

    [LoggerMessage(LogLevel.Information, "Task {Task} {TaskId} was revoked")]
    private partial void LogRevoked(string task, string taskId);

    [LoggerMessage(LogLevel.Information, "Task {Task} {TaskId} was returned to its queue")]
    private partial void LogReleased(string task, string taskId);

    private sealed class TaskScope(TaskExecution context) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly string? _traceId = Activity.Current?.TraceId.ToHexString() ?? TraceIdFromHeader(context.Envelope.GetHeader(TaskHeaders.TraceParent));

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new("TaskId", context.TaskId),
            1 => new("Task", context.TaskName),
            2 => new("TraceId", _traceId),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public int Count => 3;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++) yield return this[i];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"TaskId:{context.TaskId} Task:{context.TaskName} TraceId:{_traceId}";

        private static string? TraceIdFromHeader(string? traceParent) =>
            traceParent is { Length: >= 35 } ? traceParent.Substring(3, 32) : null;
    }
}
