using Celeriac.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Redis.Tests;

/// <summary>
/// The store contract on a real redis-server; the stores of one test share a connection string and key prefix, each with
/// a connection of its own (as separate worker processes).
/// </summary>
public sealed class RedisTaskStoreContractTests(RedisServerFixture redis) : TaskStoreContractTests, IClassFixture<RedisServerFixture>
{
    private readonly RedisBrokerOptions _options = redis.NewOptions();

    protected override IServiceProvider CreateStore() =>
        new ServiceCollection().AddLogging().AddCeleriac(c => c.UseRedisStore(o =>
        {
            o.ConnectionString = _options.ConnectionString;
            o.KeyPrefix = _options.KeyPrefix;
        })).BuildServiceProvider();
}
