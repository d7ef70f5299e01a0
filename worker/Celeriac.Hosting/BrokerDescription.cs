using Microsoft.Extensions.Configuration;

namespace Celeriac.Hosting;

/// <summary>
/// Which broker and store a configuration chooses and where they are, in words for start-up logs and error messages
/// (<c>redis localhost:6379</c>). Never a password, key or token: connection strings are reduced to their endpoints.
/// </summary>
public static class BrokerDescription
{
    public const string DefaultSqlitePath = "celeriac.db";

    /// <summary>The broker type of the <c>Celeriac</c> section, lower case (<c>sqlite</c> when none is set).</summary>
    public static string BrokerType(IConfiguration? celeriac) =>
        celeriac?[BrokerSelection.TypeKey] is { } type && !string.IsNullOrWhiteSpace(type) ? type.Trim().ToLowerInvariant() : BrokerSelection.Sqlite;

    /// <summary>The full path of the SQLite broker file, relative paths taken from the working directory.</summary>
    public static string SqliteBrokerPath(IConfiguration celeriac) => FullPath(celeriac["Broker:Sqlite:Path"]);

    public static string SqliteStorePath(IConfiguration celeriac) => FullPath(celeriac["Store:Sqlite:Path"]);

    private static string FullPath(string? path) => Path.GetFullPath(string.IsNullOrWhiteSpace(path) ? DefaultSqlitePath : path);

    /// <summary>E.g. <c>sqlite /home/ada/celeriac.db</c>, <c>redis localhost:6379</c>, <c>sqs https://sqs.../billing-</c>.</summary>
    public static string Broker(IConfiguration celeriac)
    {
        ArgumentNullException.ThrowIfNull(celeriac);
        var type = BrokerType(celeriac);
        return type switch
        {
            BrokerSelection.Sqlite => "sqlite " + SqliteBrokerPath(celeriac),
            BrokerSelection.Redis => "redis " + RedisEndpoints(celeriac["Broker:Redis:ConnectionString"]),
            BrokerSelection.Sqs => "sqs " + Sqs(celeriac.GetSection("Broker:Sqs")),
            BrokerSelection.ServiceBus => "serviceBus " + ServiceBus(celeriac.GetSection("Broker:ServiceBus")),
            BrokerSelection.Memory => "memory (in this process only)",
            _ => type,
        };
    }

    /// <summary>E.g. <c>the broker's (sqlite /home/ada/celeriac.db)</c>, <c>redis cache:6379</c>, <c>in this process only</c>.</summary>
    public static string Store(IConfiguration celeriac)
    {
        ArgumentNullException.ThrowIfNull(celeriac);
        var type = celeriac[StoreSelection.TypeKey]?.Trim().ToLowerInvariant();
        return type switch
        {
            StoreSelection.Redis => "redis " + RedisEndpoints(celeriac["Store:Redis:ConnectionString"]),
            StoreSelection.Sqlite => "sqlite " + SqliteStorePath(celeriac),
            StoreSelection.Memory => "in this process only",
            null or "" => BrokerType(celeriac) switch
            {
                BrokerSelection.Sqs or BrokerSelection.ServiceBus or BrokerSelection.Memory => "in this process only (the broker has no store)",
                _ => $"the broker's ({Broker(celeriac)})",
            },
            _ => type,
        };
    }

    /// <summary>The host:port list of a StackExchange.Redis connection string, without its options (a password among them).</summary>
    public static string RedisEndpoints(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) return "localhost:6379";
        var endpoints = connectionString.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(p => !p.Contains('=', StringComparison.Ordinal)).ToList();
        return endpoints.Count > 0 ? string.Join(",", endpoints) : "(no endpoint)";
    }

    private static string Sqs(IConfiguration sqs)
    {
        var target = sqs["QueueUrlPrefix"] is { Length: > 0 } prefix ? prefix
            : sqs.GetSection("QueueUrls").GetChildren().Select(c => c.Value).FirstOrDefault(v => !string.IsNullOrEmpty(v)) ?? "(no QueueUrlPrefix)";
        return sqs["Endpoint"] is { Length: > 0 } endpoint ? $"{target} via {endpoint}" : target;
    }

    private static string ServiceBus(IConfiguration serviceBus)
    {
        if (serviceBus["ConnectionString"] is { Length: > 0 } connection)
        {
            var endpoint = connection.Split(';', StringSplitOptions.TrimEntries)
                .FirstOrDefault(p => p.StartsWith("Endpoint=", StringComparison.OrdinalIgnoreCase))?["Endpoint=".Length..];
            return endpoint is not null && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri.Authority : "(connection string without an Endpoint)";
        }
        return serviceBus["FullyQualifiedNamespace"] is { Length: > 0 } ns ? ns : "(no namespace)";
    }
}
