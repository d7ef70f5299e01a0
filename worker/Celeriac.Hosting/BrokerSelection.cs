using Celeriac.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Celeriac.Hosting;

/// <summary>Picks the broker named by <c>Celeriac:Broker:Type</c>; the embedded SQLite broker when none is named. Then the store.</summary>
public static class BrokerSelection
{
    public const string Sqlite = "sqlite";
    public const string Memory = "memory";
    public const string Redis = "redis";
    public const string Sqs = "sqs";
    public const string ServiceBus = "servicebus";

    /// <summary>The key, under <c>Celeriac</c>, that names the broker.</summary>
    public const string TypeKey = "Broker:Type";

    /// <summary>
    /// The broker named by <c>Celeriac:Broker:Type</c>, then the store named by <c>Celeriac:Store:Type</c>
    /// (<see cref="StoreSelection"/>), then Celery interop for the queues declared with <c>Protocol = celery</c> (<see cref="CelerySelection"/>).
    /// </summary>
    public static CeleriacBuilder UseBrokerFromConfiguration(this CeleriacBuilder builder) => UseBroker(builder).UseStoreFromConfiguration().UseCeleryFromConfiguration();

    private static CeleriacBuilder UseBroker(CeleriacBuilder builder)
    {
        switch (BrokerDescription.BrokerType(builder.Configuration))
        {
            case Sqlite:
                return builder.UseSqliteBroker();
            case Memory:
                return builder.UseInMemoryBroker();
            case Redis:
                return builder.UseRedisBroker();
            case Sqs:
                return builder.UseSqsBroker();
            case ServiceBus:
                return builder.UseServiceBusBroker();
            default:
                throw new InvalidOperationException($"Celeriac:Broker:Type '{builder.Configuration?[TypeKey]}' is not known; use one of: {Sqlite}, {Memory}, {Redis}, {Sqs}, serviceBus.");
        }
    }
}
