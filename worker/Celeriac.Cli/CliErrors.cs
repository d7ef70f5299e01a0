using System.Net.Sockets;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Celeriac.Cli;

/// <summary>
/// Which failures are the user's or the environment's to fix (bad input, a setting, a file, a broker that cannot be
/// reached or refuses), worded in one line; anything else is a bug and keeps its stack trace.
/// </summary>
internal static class CliErrors
{
    /// <param name="broker">Where the configured broker is (<c>redis localhost:6379</c>), asked for only when it could not be reached.</param>
    /// <returns>The line to print after <c>error: </c>, or null for a bug.</returns>
    public static string? Describe(Exception exception, Func<string> broker)
    {
        if (IsUnreachable(exception)) return $"cannot reach the broker ({broker()}): {Innermost(exception).Message.ReplaceLineEndings(" ")}";
        return exception switch
        {
            ArgumentException or InvalidOperationException or FormatException or IOException or UnauthorizedAccessException
                or Microsoft.Data.Sqlite.SqliteException or OptionsValidationException => exception.Message.ReplaceLineEndings(" "),
            RedisException or Amazon.Runtime.AmazonServiceException or Azure.Messaging.ServiceBus.ServiceBusException or Azure.RequestFailedException => $"the broker ({broker()}) refused: {exception.Message.ReplaceLineEndings(" ")}",
            _ => null,
        };
    }

    /// <summary>A connection that could not be made or was lost, at any depth of the exception (the SDKs wrap the socket's).</summary>
    public static bool IsUnreachable(Exception exception) => Chain(exception).Any(e => e
        is SocketException
        or HttpRequestException { StatusCode: null }
        or RedisConnectionException
        or TimeoutException
        or Azure.Messaging.ServiceBus.ServiceBusException { Reason: Azure.Messaging.ServiceBus.ServiceBusFailureReason.ServiceCommunicationProblem or Azure.Messaging.ServiceBus.ServiceBusFailureReason.ServiceTimeout }
        // The administration client (HTTP) reports a connection that could not be made as status 0.
        or Azure.RequestFailedException { Status: 0 });

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        var pending = new Stack<Exception>([exception]);
        while (pending.TryPop(out var current))
        {
            yield return current;
            if (current is AggregateException aggregate) foreach (var inner in aggregate.InnerExceptions) pending.Push(inner);
            else if (current.InnerException is { } inner) pending.Push(inner);
        }
    }

    private static Exception Innermost(Exception exception)
    {
        var current = exception;
        while (current.InnerException is { } inner && current is not SocketException) current = inner;
        return current;
    }
}
