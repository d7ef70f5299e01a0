using Celeriac.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Cli;

/// <summary>Builds the client-side services from environment (<c>Celeriac__...</c>) and the global options.</summary>
public static class CliServices
{
    /// <param name="settings">Configuration applied over the environment (embedding hosts and tests), under the global options.</param>
    public static ServiceProvider Build(string? broker, string? db, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var configuration = Configuration(broker, db, settings);
        return new ServiceCollection()
            .AddLogging()
            .AddCeleriac(configuration, c => c.UseBrokerFromConfiguration())
            .BuildServiceProvider();
    }

    /// <summary>The environment, then <paramref name="settings"/>, then the global options.</summary>
    public static IConfiguration Configuration(string? broker, string? db, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var overrides = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (broker is not null) overrides["Celeriac:Broker:Type"] = broker;
        if (db is not null) overrides["Celeriac:Broker:Sqlite:Path"] = db;
        return new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build();
    }
}
