using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Hosting;

/// <summary>
/// Picks the store named by <c>Celeriac:Store:Type</c> (rate limits, locks, results, revocations, workflow joins,
/// fan-out progress); when none is named, the broker's own store, or an in-process one for brokers without a store.
/// </summary>
public static class StoreSelection
{
    public const string Sqlite = "sqlite";
    public const string Memory = "memory";
    public const string Redis = "redis";

    /// <summary>The key, under <c>Celeriac</c>, that names the store.</summary>
    public const string TypeKey = "Store:Type";

    public const string PerProcessWarning =
        "The {Broker} broker has no shared store: rate limits, task locks, results, revocations and workflows are per process. " +
        "Set Celeriac:Store:Type=redis with Celeriac:Store:Redis:ConnectionString (TaskQueue spec.store.redis) to share them across workers.";

    /// <summary>Call after choosing the broker: a broker with a store of its own has registered it already.</summary>
    public static CeleriacBuilder UseStoreFromConfiguration(this CeleriacBuilder builder)
    {
        var type = builder.Configuration?[TypeKey];
        if (string.IsNullOrWhiteSpace(type)) return UseBrokerDefaultStore(builder);
        return type.Trim().ToLowerInvariant() switch
        {
            Redis => builder.UseRedisStore(),
            Sqlite => builder.UseSqliteStore(),
            Memory => builder.UseInMemoryStore(),
            _ => throw new InvalidOperationException($"Celeriac:Store:Type '{type}' is not known; use one of: {Redis}, {Sqlite}, {Memory}."),
        };
    }

    private static CeleriacBuilder UseBrokerDefaultStore(CeleriacBuilder builder)
    {
        var broker = builder.Configuration?[BrokerSelection.TypeKey]?.Trim();
        if (!string.Equals(broker, BrokerSelection.Sqs, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(broker, BrokerSelection.ServiceBus, StringComparison.OrdinalIgnoreCase))
            return builder;
        // Logged once, when the revocations are first resolved, which the worker does at start-up.
        return builder.UseStore(StoreServices.InMemory with
        {
            Revocations = sp =>
            {
                sp.GetService<ILoggerFactory>()?.CreateLogger(typeof(StoreSelection).FullName!).LogWarning(PerProcessWarning, broker);
                return StoreServices.InMemory.Revocations(sp);
            },
        });
    }
}
