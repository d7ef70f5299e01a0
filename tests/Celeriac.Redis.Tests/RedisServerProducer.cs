using Celeriac.Examples;
using Celeriac.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Redis.Tests;

public static class RedisServerProducer
{
    /// <summary>A producer (client, broker, store) for the example tasks on this server, under its own key prefix.</summary>
    public static ServiceProvider Producer(this RedisServer server, string keyPrefix)
    {
        var configuration = new ConfigurationBuilder().Build();
        return new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddCeleriac(configuration, c => c.AddTaskAssembly(typeof(ExamplesModule).Assembly).UseRedisBroker(o =>
            {
                o.ConnectionString = server.ConnectionString;
                o.KeyPrefix = keyPrefix;
            }))
            .BuildServiceProvider();
    }
}
