using Celeriac.Brokers;
using Celeriac.Redis;
using Celeriac.Redis.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Hosting;

public static class RedisCeleriacBuilderExtensions
{
    /// <summary>
    /// Uses the Redis broker, registered once as <see cref="IBroker"/> and <see cref="IBrokerAdmin"/>, on one
    /// shared <see cref="RedisConnection"/>, with its store on that connection. Options come from <c>Celeriac:Broker:Redis</c>, then from <paramref name="configure"/>.
    /// </summary>
    public static CeleriacBuilder UseRedisBroker(this CeleriacBuilder builder, Action<RedisBrokerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddRedisConnection(builder, configure);
        builder.Services.TryAddSingleton(sp => new RedisBroker(sp.GetRequiredService<RedisConnection>(), sp.GetService<ILogger<RedisBroker>>()));
        builder.UseBroker(sp => sp.GetRequiredService<RedisBroker>());
        return UseRedisBrokerStore(builder);
    }

    /// <summary>
    /// Keeps rate limits, locks, results, revocations and workflows in Redis, shared by every worker (with any broker).
    /// Options come from <c>Celeriac:Store:Redis</c>, then from <paramref name="configure"/>; the store has its own
    /// connection, apart from a Redis broker's.
    /// </summary>
    public static CeleriacBuilder UseRedisStore(this CeleriacBuilder builder, Action<RedisStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCeleriacOptions<RedisStoreOptions, RedisStoreOptionsValidator>(configure);
        builder.Services.TryAddSingleton(sp => new RedisStoreConnection(
            sp.GetRequiredService<IOptions<RedisStoreOptions>>().Value,
            sp.GetService<ILogger<RedisConnection>>()));
        return builder.UseStore(RedisStore.On(sp => sp.GetRequiredService<RedisStoreConnection>().Connection));
    }

    /// <summary>The Redis broker's own store: on the broker's connection and key prefix.</summary>
    private static CeleriacBuilder UseRedisBrokerStore(CeleriacBuilder builder) =>
        builder.UseStore(RedisStore.On(sp => sp.GetRequiredService<RedisConnection>()));

    private static void AddRedisConnection(CeleriacBuilder builder, Action<RedisBrokerOptions>? configure)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(RedisConnection))) return;
        builder.AddCeleriacOptions<RedisBrokerOptions, RedisBrokerOptionsValidator>(configure);
        builder.Services.TryAddSingleton(sp => new RedisConnection(
            sp.GetRequiredService<IOptions<RedisBrokerOptions>>().Value,
            sp.GetService<ILogger<RedisConnection>>()));
    }
}
