using Celeriac.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Celeriac.Sqlite.Tests;

/// <summary>Bad SQLite settings stop the host at start, before a file is created, and name their configuration key.</summary>
public sealed class SqliteOptionsValidationTests
{
    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddCeleriac(builder.Configuration, c => c.UseBrokerFromConfiguration().AddWorker());
        return builder.Build();
    }

    [Fact]
    public async Task Every_bad_broker_setting_is_reported_with_its_key_and_no_file_is_made()
    {
        using var host = BuildHost(new()
        {
            ["Celeriac:Broker:Type"] = "sqlite",
            ["Celeriac:Broker:Sqlite:Path"] = ":memory:",
            ["Celeriac:Broker:Sqlite:PollInterval"] = "-00:00:01",
            ["Celeriac:Broker:Sqlite:BusyTimeout"] = "-00:00:01",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
        [
            "Celeriac:Broker:Sqlite:Path is ':memory:', a database private to one connection; use the in-memory broker or store instead.",
            "Celeriac:Broker:Sqlite:BusyTimeout must not be negative (was -00:00:01).",
            "Celeriac:Broker:Sqlite:PollInterval must be positive (was -00:00:01).",
        ], error.Failures);
        Assert.False(File.Exists(":memory:"));
    }

    [Fact]
    public async Task A_store_apart_from_the_broker_is_checked_under_its_own_key()
    {
        using var host = BuildHost(new()
        {
            ["Celeriac:Broker:Type"] = "memory",
            ["Celeriac:Store:Type"] = "sqlite",
            ["Celeriac:Store:Sqlite:Path"] = "",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(["Celeriac:Store:Sqlite:Path must be set."], error.Failures);
    }
}
