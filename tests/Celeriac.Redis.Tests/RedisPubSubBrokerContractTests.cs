using Celeriac.Brokers;

namespace Celeriac.Redis.Tests;

/// <summary>The broker contract with blocking receives turned off (behind a proxy that does not pass them): waits rely on pub/sub.</summary>
public sealed class RedisPubSubBrokerContractTests(RedisServerFixture redis) : BrokerContractTests, IClassFixture<RedisServerFixture>
{
    private readonly RedisBrokerOptions _options = WithoutBlocking(redis.NewOptions());

    protected override IBroker CreateBroker() => new RedisBroker(_options);

    private static RedisBrokerOptions WithoutBlocking(RedisBrokerOptions options)
    {
        options.BlockingReceive = false;
        return options;
    }
}
