using Celeriac.Brokers;
using Celeriac.Celery.Redis;
using Celeriac.Celery.Tests.Infrastructure;

namespace Celeriac.Celery.Tests;

/// <summary>
/// The broker contract on kombu's Redis transport (a real redis-server), bodies carried in kombu messages
/// (<see cref="OpaqueBodyTransport"/>); the transports of one test share a global key prefix, as workers on one Redis would.
/// </summary>
public sealed class KombuRedisTransportContractTests(RedisCeleryFixture redis) : BrokerContractTests, IClassFixture<RedisCeleryFixture>
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..10] + ":";

    protected override IBroker CreateBroker() => new OpaqueBodyTransport(new KombuRedisTransport(new CeleryRedisOptions
    {
        ConnectionString = redis.BrokerUrl,
        KeyPrefix = _prefix,
        RestoreInterval = TimeSpan.FromMilliseconds(100),
    }));

    // kombu's lists keep no enqueue time the transport could read without parsing bodies; the wait is not reported.
    protected override bool ReportsOldestReadyAge => false;
}
