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
    /// <summary>What the CLI talks to, as the settings describe it, for naming the one that failed.</summary>
    /// <param name="Broker">E.g. <c>redis localhost:6379</c>.</param>
    /// <param name="RedisStore">The store, when it is a Redis of its own (<c>Celeriac:Store:Type=redis</c>); else null.</param>
    public sealed record Dependencies(string Broker, string? RedisStore, bool BrokerIsRedis);

    /// <param name="dependencies">What the settings name, asked for only when one of them failed.</param>
    /// <returns>The line to print after <c>error: </c>, or null for a bug.</returns>
    public static string? Describe(Exception exception, Func<Dependencies> dependencies)
    {
        if (IsUnreachable(exception)) return $"cannot reach {Which(exception, dependencies())}: {Innermost(exception).Message.ReplaceLineEndings(" ")}";
        return exception switch
        {
            ArgumentException or InvalidOperationException or FormatException or IOException or UnauthorizedAccessException
                or Microsoft.Data.Sqlite.SqliteException or OptionsValidationException => exception.Message.ReplaceLineEndings(" "),
            RedisException or Amazon.Runtime.AmazonServiceException or Azure.Messaging.ServiceBus.ServiceBusException or Azure.RequestFailedException => $"{Which(exception, dependencies())} refused: {exception.Message.ReplaceLineEndings(" ")}",
            _ => null,
        };
    }

    /// <summary>
    /// The broker, unless the failure is Redis's and the store is the only Redis configured. With both on Redis, the
    /// exception does not say which connection it was: both are named.
    /// </summary>
    private static string Which(Exception exception, Dependencies dependencies)
    {
        if (dependencies.RedisStore is not { } store || !Chain(exception).Any(e => e is RedisException)) return $"the broker ({dependencies.Broker})";
        return dependencies.BrokerIsRedis ? $"the broker or the store (broker {dependencies.Broker}; store {store})" : $"the store ({store})";
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
