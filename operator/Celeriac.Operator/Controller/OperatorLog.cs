using Microsoft.Extensions.Logging;

namespace Celeriac.Operator.Controller;

internal static partial class OperatorLog
{
    [LoggerMessage(1, LogLevel.Information, "Reconciled TaskQueue {Namespace}/{Name}: {Objects} objects applied, {Deleted} deleted")]
    public static partial void Reconciled(ILogger logger, string @namespace, string name, int objects, int deleted);

    [LoggerMessage(2, LogLevel.Warning, "TaskQueue {Namespace}/{Name} is invalid: {Errors}")]
    public static partial void InvalidSpec(ILogger logger, string @namespace, string name, string errors);

    [LoggerMessage(3, LogLevel.Warning, "Reconciling {Key} failed (attempt {Attempt}); retrying in {Delay}")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception, string key, int attempt, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Information, "Watch of {Resource} restarts: {Reason}")]
    public static partial void WatchRestart(ILogger logger, string resource, string reason);

    [LoggerMessage(5, LogLevel.Information, "{Identity} became the leader ({Lease})")]
    public static partial void BecameLeader(ILogger logger, string identity, string lease);

    [LoggerMessage(6, LogLevel.Warning, "{Identity} lost the leadership ({Lease})")]
    public static partial void LostLeadership(ILogger logger, string identity, string lease);

    [LoggerMessage(7, LogLevel.Debug, "Leader election attempt failed: {Reason}")]
    public static partial void LeaseAttemptFailed(ILogger logger, string reason);

    [LoggerMessage(8, LogLevel.Warning, "Recording an event failed")]
    public static partial void EventFailed(ILogger logger, Exception exception);

    [LoggerMessage(9, LogLevel.Information, "Deleted {Kind} {Namespace}/{Name} of a removed pool")]
    public static partial void DeletedObject(ILogger logger, string kind, string @namespace, string name);
}
