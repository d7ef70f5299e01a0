using Celeriac.Testing;

namespace Celeriac.Redis.Tests;

/// <summary>The store contract on a real redis-server; the stores of one test share a connection string and key prefix.</summary>
public sealed class RedisTaskStoreContractTests(RedisServerFixture redis) : TaskStoreContractTests, IClassFixture<RedisServerFixture>
{
    private readonly RedisBrokerOptions _options = redis.NewOptions();

    protected override object CreateStore() => new OwnedRedisTaskStore(_options);
}
