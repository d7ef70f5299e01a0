using Celeriac.Brokers;

namespace Celeriac.Redis.Tests;

/// <summary>The broker contract on a real redis-server; the brokers of one test share a key prefix, as workers on one Redis would.</summary>
public sealed class RedisBrokerContractTests(RedisServerFixture redis) : BrokerContractTests, IClassFixture<RedisServerFixture>
{
    private readonly RedisBrokerOptions _options = redis.NewOptions();

    protected override IBroker CreateBroker() => new RedisBroker(_options);
}
