using Celeriac.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Celeriac.Redis.Tests;

/// <summary>Bad Redis settings stop the host at start, before any connection is made, and name their configuration key.</summary>
public sealed class RedisOptionsValidationTests
{
    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddCeleriac(builder.Configuration, c => c.UseBrokerFromConfiguration().AddWorker());
        return builder.Build();
    }

    [Fact]
    public async Task Every_bad_broker_setting_is_reported_with_its_key()
    {
        using var host = BuildHost(new()
        {
            ["Celeriac:Broker:Type"] = "redis",
            ["Celeriac:Broker:Redis:ConnectionString"] = "localhost:6379,connectTimeout=soon",
            ["Celeriac:Broker:Redis:KeyPrefix"] = "app{1}",
            ["Celeriac:Broker:Redis:MaxPollInterval"] = "00:00:00",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.StartsWith("Celeriac:Broker:Redis:ConnectionString is not a StackExchange.Redis connection string", StringComparison.Ordinal) && f.Contains("connectTimeout", StringComparison.Ordinal));
        Assert.Contains("Celeriac:Broker:Redis:KeyPrefix must not contain '{' or '}' (was 'app{1}').", error.Failures);
        Assert.Contains("Celeriac:Broker:Redis:MaxPollInterval must be positive (was 00:00:00).", error.Failures);
    }

    [Fact]
    public async Task A_store_apart_from_the_broker_is_checked_under_its_own_key()
    {
        using var host = BuildHost(new()
        {
            ["Celeriac:Broker:Type"] = "memory",
            ["Celeriac:Store:Type"] = "redis",
            ["Celeriac:Store:Redis:ConnectionString"] = " ",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(["Celeriac:Store:Redis:ConnectionString must be set."], error.Failures);
    }

    [Fact]
    public void A_connection_string_without_an_endpoint_is_refused_by_the_constructor_too()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new RedisConnection(new RedisBrokerOptions { ConnectionString = "abortConnect=false" }));
        Assert.Equal(["Celeriac:Broker:Redis:ConnectionString names no Redis endpoint (host:port)."], error.Failures);
    }
}
