using Celeriac.Brokers;
using Celeriac.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Celeriac.Sqlite.Tests;

public sealed class BrokerRegistrationTests : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task UseSqliteBroker_binds_Celeriac_Broker_Sqlite_and_registers_one_instance()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Sqlite:Path"] = _database.Path,
            ["Celeriac:Broker:Sqlite:PollInterval"] = "00:00:00.010",
            ["Celeriac:Broker:Sqlite:BusyTimeout"] = "00:00:03",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddCeleriac(configuration, celeriac => celeriac.UseSqliteBroker());

        await using (var provider = services.BuildServiceProvider())
        {
            var broker = provider.GetRequiredService<IBroker>();
            Assert.Same(broker, provider.GetRequiredService<IBrokerAdmin>());
            Assert.Equal(_database.Path, Assert.IsType<SqliteBroker>(broker).Path);
            var options = provider.GetRequiredService<IOptions<SqliteBrokerOptions>>().Value;
            Assert.Equal(TimeSpan.FromMilliseconds(10), options.PollInterval);
            Assert.Equal(TimeSpan.FromSeconds(3), options.BusyTimeout);
            await broker.SendAsync([new OutgoingMessage("q", new byte[] { 1 })], CancellationToken.None);
        }

        using var reopened = _database.Open();
        Assert.Equal(1, (await reopened.GetDepthAsync("q", CancellationToken.None)).Ready);
    }

    [Fact]
    public void The_configure_callback_overrides_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Sqlite:Path"] = "from-configuration.db",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddCeleriac(configuration, celeriac => celeriac.UseSqliteBroker(o => o.Path = _database.Path));

        using var provider = services.BuildServiceProvider();
        Assert.Equal(_database.Path, Assert.IsType<SqliteBroker>(provider.GetRequiredService<IBroker>()).Path);
    }

    [Fact]
    public void UseSqliteBroker_replaces_an_earlier_broker_choice()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCeleriac(celeriac => celeriac.UseInMemoryBroker().UseSqliteBroker(o => o.Path = _database.Path));

        using var provider = services.BuildServiceProvider();
        Assert.IsType<SqliteBroker>(provider.GetRequiredService<IBroker>());
        Assert.Same(provider.GetRequiredService<IBroker>(), provider.GetRequiredService<IBrokerAdmin>());
    }

    [Fact]
    public void UseInMemoryBroker_registers_one_instance_as_broker_and_admin()
    {
        var given = new InMemoryBroker();
        var services = new ServiceCollection().AddLogging();
        services.AddCeleriac(celeriac => celeriac.UseInMemoryBroker(given));

        using var provider = services.BuildServiceProvider();
        Assert.Same(given, provider.GetRequiredService<IBroker>());
        Assert.Same(given, provider.GetRequiredService<IBrokerAdmin>());

        var fresh = new ServiceCollection().AddLogging();
        fresh.AddCeleriac(celeriac => celeriac.UseInMemoryBroker());
        using var freshProvider = fresh.BuildServiceProvider();
        Assert.Same(freshProvider.GetRequiredService<IBroker>(), freshProvider.GetRequiredService<IBrokerAdmin>());
    }
}
