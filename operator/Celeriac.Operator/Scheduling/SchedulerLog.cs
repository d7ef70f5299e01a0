using Microsoft.Extensions.Logging;

namespace Celeriac.Operator.Scheduling;

internal static partial class SchedulerLog
{
    [LoggerMessage(101, LogLevel.Information, "Schedule {Namespace}/{Name}/{Schedule}: enqueued {Task} as {TaskId} for {Slot}")]
    public static partial void Enqueued(ILogger logger, string @namespace, string name, string schedule, string task, string taskId, DateTimeOffset slot);

    [LoggerMessage(102, LogLevel.Information, "Schedule {Namespace}/{Name}/{Schedule}: the run of {Slot} was already enqueued as {TaskId}")]
    public static partial void AlreadyEnqueued(ILogger logger, string @namespace, string name, string schedule, DateTimeOffset slot, string taskId);

    [LoggerMessage(103, LogLevel.Warning, "Schedule {Namespace}/{Name}/{Schedule}: enqueue failed")]
    public static partial void EnqueueFailed(ILogger logger, Exception exception, string @namespace, string name, string schedule);

    [LoggerMessage(104, LogLevel.Warning, "Scheduler pass failed")]
    public static partial void PassFailed(ILogger logger, Exception exception);
}
