using Celeriac.Brokers;
using Celeriac.Hosting;
using Celeriac.Redis;
using Celeriac.Revocation;
using Celeriac.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.ServiceBus.Tests;

/// <summary>Next to Service Bus the store is in-process unless <c>Celeriac:Store:Type</c> names a shared one (here a real redis-server).</summary>
public sealed class ServiceBusStoreSelectionTests
{
    private static ServiceProvider Services(Dictionary<string, string?> store)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Type"] = "serviceBus",
            ["Celeriac:Broker:ServiceBus:ConnectionString"] = "Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=app;SharedAccessKey=c2VjcmV0",
        };
        foreach (var (key, value) in store) settings[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddCeleriac(configuration, c => c.UseBrokerFromConfiguration()).BuildServiceProvider();
    }

    [Fact]
    public async Task Without_a_store_setting_service_bus_keeps_them_in_process()
    {
        await using var services = Services([]);
        Assert.IsType<ServiceBusBroker>(services.GetRequiredService<IBroker>());
        Assert.IsType<InMemoryRevocationStore>(services.GetRequiredService<IRevocationStore>());
    }

    [Fact]
    public async Task A_redis_store_is_shared_by_two_service_bus_clients()
    {
        await using var redis = await RedisServer.StartAsync();
        var store = new Dictionary<string, string?>
        {
            ["Celeriac:Store:Type"] = "redis",
            ["Celeriac:Store:Redis:ConnectionString"] = redis.ConnectionString,
        };
        await using var one = Services(store);
        await using var two = Services(store);
        Assert.IsType<ServiceBusBroker>(one.GetRequiredService<IBroker>());
        Assert.IsType<Celeriac.Redis.Workflows.RedisWorkflowStore>(one.GetRequiredService<IWorkflowStore>());
        await one.GetRequiredService<IRevocationStore>().RevokeTaskNameAsync("emails.send", TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.Contains("emails.send", (await two.GetRequiredService<IRevocationStore>().GetRevokedTaskNamesAsync(CancellationToken.None)).Keys);
    }
}
