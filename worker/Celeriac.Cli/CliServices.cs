using System.CommandLine;
using Celeriac.Hosting;
using Celeriac.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Cli;

/// <summary>
/// The global options and what they lead to: the configuration (settings files of the working directory and of
/// <c>--config</c>, the environment <c>Celeriac__...</c>, the options given) and the client-side services on it.
/// </summary>
public sealed class CliServices
{
    private readonly IReadOnlyDictionary<string, string?>? _settings;

    /// <param name="settings">Configuration applied over the environment (embedding hosts and tests), under the global options.</param>
    public CliServices(IReadOnlyDictionary<string, string?>? settings = null)
    {
        _settings = settings;
    }

    public Option<string?> Broker { get; } = new("--broker") { Description = "Broker type: sqlite, redis, sqs, serviceBus or memory (default: Celeriac:Broker:Type, else sqlite)", Recursive = true };

    public Option<string?> Db { get; } = new("--db") { Description = "SQLite broker file (default: Celeriac:Broker:Sqlite:Path, else celeriac.db in the working directory)", Recursive = true };

    public Option<string?> Config { get; } = new(ConfigurationFiles.ConfigOption)
    {
        Description = "A settings file (or a directory with appsettings.json) read after those of the working directory",
        Recursive = true,
    };

    public Option<bool> Create { get; } = new("--create") { Description = "Create the SQLite broker file (and its directory) when it does not exist", Recursive = true };

    public IEnumerable<Option> Options => [Broker, Db, Config, Create];

    public IConfigurationRoot Configuration(ParseResult result)
    {
        var overrides = new Dictionary<string, string?>(_settings ?? new Dictionary<string, string?>());
        if (result.GetValue(Broker) is { } broker) overrides["Celeriac:Broker:Type"] = broker;
        if (result.GetValue(Db) is { } db) overrides["Celeriac:Broker:Sqlite:Path"] = db;
        var builder = new ConfigurationBuilder();
        ConfigurationFiles.Insert(builder, ConfigurationFiles.Files(Directory.GetCurrentDirectory(), ConfigurationFiles.EnvironmentName(), result.GetValue(Config)));
        return builder.AddEnvironmentVariables().AddInMemoryCollection(overrides).Build();
    }

    /// <summary>The client-side services. A SQLite file that does not exist is an error unless <c>--create</c> was given: a mistyped path must not look like empty queues.</summary>
    /// <exception cref="FileNotFoundException">The SQLite broker or store file does not exist and --create was not given.</exception>
    public ServiceProvider Build(ParseResult result)
    {
        var configuration = Configuration(result);
        var provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddCeleriac(configuration, c => c.UseBrokerFromConfiguration())
            .BuildServiceProvider();
        try
        {
            if (!result.GetValue(Create)) RequireExistingFiles(configuration.GetSection("Celeriac"), provider);
            return provider;
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    private static void RequireExistingFiles(IConfiguration celeriac, IServiceProvider provider)
    {
        // The options are resolved (and so validated) first, so that a bad path is reported by its rule, not as missing.
        if (BrokerDescription.BrokerType(celeriac) == BrokerSelection.Sqlite)
            RequireFile(provider.GetRequiredService<IOptions<SqliteBrokerOptions>>().Value.Path, "broker", "--db");
        if (string.Equals(celeriac[StoreSelection.TypeKey]?.Trim(), StoreSelection.Sqlite, StringComparison.OrdinalIgnoreCase))
            RequireFile(provider.GetRequiredService<IOptions<SqliteStoreOptions>>().Value.Path, "store", "Celeriac:Store:Sqlite:Path");
    }

    private static void RequireFile(string path, string what, string option)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new FileNotFoundException($"the SQLite {what} file {full} does not exist (give an existing one with {option}, or add --create to create it)", full);
    }
}
