using Microsoft.Extensions.Logging;

namespace Celeriac.Operator.Autoscaling;

internal static partial class AutoscalerLog
{
    [LoggerMessage(101, LogLevel.Information, "Scaled pool {Pool} of TaskQueue {Namespace}/{Name}: {Message}")]
    public static partial void Scaled(ILogger logger, string @namespace, string name, string pool, string message);

    [LoggerMessage(102, LogLevel.Warning, "Queue depth of TaskQueue {Namespace}/{Name} could not be read; replicas kept: {Error}")]
    public static partial void DepthFailed(ILogger logger, string @namespace, string name, string error);

    [LoggerMessage(103, LogLevel.Warning, "Autoscaling TaskQueue {Key} failed; trying again at the next poll")]
    public static partial void PollFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(104, LogLevel.Warning, "Scale-in of pool {Pool} of TaskQueue {Namespace}/{Name} cannot put idle workers first, so it removes pods as the Deployment controller picks them: {Error}")]
    public static partial void IdleFirstUnavailable(ILogger logger, string @namespace, string name, string pool, string error);
}
