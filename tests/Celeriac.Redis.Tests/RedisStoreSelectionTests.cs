using Celeriac.Brokers;
using Celeriac.Hosting;
using Celeriac.Revocation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Redis.Tests;

/// <summary>A Redis broker keeps its store on its own connection unless <c>Celeriac:Store:Redis</c> names another Redis.</summary>
public sealed class RedisStoreSelectionTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static ServiceProvider Services(Dictionary<string, string?> settings) =>
        new ServiceCollection().AddLogging()
            .AddCeleriac(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), c => c.UseBrokerFromConfiguration())
            .BuildServiceProvider();

    [Fact]
    public async Task Without_a_store_setting_the_redis_broker_is_its_own_store()
    {
        var options = redis.NewOptions();
        var settings = new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Type"] = "redis",
            ["Celeriac:Broker:Redis:ConnectionString"] = options.ConnectionString,
            ["Celeriac:Broker:Redis:KeyPrefix"] = options.KeyPrefix,
        };
        await using var one = Services(settings);
        await using var two = Services(settings);
        Assert.IsType<Celeriac.Redis.Revocation.RedisRevocationStore>(one.GetRequiredService<IRevocationStore>());
        Assert.Empty(one.GetServices<RedisStoreConnection>());
        Assert.Single(one.GetServices<RedisConnection>());
        await one.GetRequiredService<IRevocationStore>().RevokeAsync("task-1", TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.Contains("task-1", await two.GetRequiredService<IRevocationStore>().GetRevokedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_store_configured_apart_uses_its_own_redis_and_connection()
    {
        await using var storeServer = await RedisServer.StartAsync();
        var options = redis.NewOptions();
        var broker = new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Type"] = "redis",
            ["Celeriac:Broker:Redis:ConnectionString"] = options.ConnectionString,
            ["Celeriac:Broker:Redis:KeyPrefix"] = options.KeyPrefix,
        };
        var apart = new Dictionary<string, string?>(broker)
        {
            ["Celeriac:Store:Type"] = "redis",
            ["Celeriac:Store:Redis:ConnectionString"] = storeServer.ConnectionString,
            ["Celeriac:Store:Redis:KeyPrefix"] = "store",
        };
        await using var services = Services(apart);
        var brokerConnection = services.GetRequiredService<RedisConnection>();
        var storeConnection = services.GetRequiredService<RedisStoreConnection>().Connection;
        Assert.NotSame(brokerConnection, storeConnection);
        Assert.Equal(options.ConnectionString, brokerConnection.Options.ConnectionString);
        Assert.Equal(storeServer.ConnectionString, storeConnection.Options.ConnectionString);
        Assert.Same(services.GetRequiredService<RedisBroker>(), services.GetRequiredService<IBroker>());

        await services.GetRequiredService<IRevocationStore>().RevokeAsync("task-2", TimeSpan.FromMinutes(5), CancellationToken.None);
        await using var sameStore = Services(apart);
        Assert.Contains("task-2", await sameStore.GetRequiredService<IRevocationStore>().GetRevokedAsync(CancellationToken.None));
        await using var brokerOnly = Services(broker);
        Assert.DoesNotContain("task-2", await brokerOnly.GetRequiredService<IRevocationStore>().GetRevokedAsync(CancellationToken.None));
    }
}
