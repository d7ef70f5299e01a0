using Celeriac.Hosting;
using Celeriac.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Redis.Tests;

/// <summary>
/// The registry, control and index contract on a real redis-server; the providers of one test share a new key prefix,
/// each with a connection of its own (as separate processes).
/// </summary>
public sealed class RedisLiveViewStoreContractTests(RedisServerFixture redis) : LiveViewStoreContractTests, IClassFixture<RedisServerFixture>
{
    private readonly RedisBrokerOptions _options = redis.NewOptions();

    protected override IServiceProvider CreateStore() =>
        new ServiceCollection().AddLogging().AddCeleriac(c => c.UseRedisStore(o =>
        {
            o.ConnectionString = _options.ConnectionString;
            o.KeyPrefix = _options.KeyPrefix;
        })).BuildServiceProvider();
}
