using Celeriac.Celery.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Hosting;

public static class CeleryRedisCeleriacBuilderExtensions
{
    /// <summary>
    /// Carries the Celery queues on kombu's Redis transport (<see cref="KombuRedisTransport"/>), with options from
    /// <c>Celeriac:Celery:Redis</c> (its connection defaulting to <c>Celeriac:Broker:Redis:ConnectionString</c>), then from
    /// <paramref name="configure"/>; see <see cref="CeleryCeleriacBuilderExtensions.UseCelery"/>.
    /// </summary>
    public static CeleriacBuilder UseCeleryRedisTransport(this CeleriacBuilder builder, Action<CeleryRedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var brokerConnection = builder.Configuration?["Broker:Redis:ConnectionString"];
        builder.AddCeleriacOptions<CeleryRedisOptions, CeleryRedisOptionsValidator>(options =>
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString) && !string.IsNullOrWhiteSpace(brokerConnection)) options.ConnectionString = brokerConnection;
            configure?.Invoke(options);
        });
        builder.Services.TryAddSingleton(sp => new KombuRedisTransport(
            sp.GetRequiredService<IOptions<CeleryRedisOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<KombuRedisTransport>>()));
        return builder.UseCelery(sp => sp.GetRequiredService<KombuRedisTransport>());
    }

    /// <summary>
    /// Keeps Celery results in Celery's Redis result backend (<see cref="RedisCeleryResultBackend"/>), with options from
    /// <c>Celeriac:Celery:ResultBackend</c>, then from <paramref name="configure"/>.
    /// </summary>
    public static CeleriacBuilder UseCeleryRedisResultBackend(this CeleriacBuilder builder, Action<CeleryResultBackendOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCeleriacOptions<CeleryResultBackendOptions, CeleryResultBackendOptionsValidator>(configure);
        builder.Services.TryAddSingleton(sp => new RedisCeleryResultBackend(sp.GetRequiredService<IOptions<CeleryResultBackendOptions>>().Value));
        return builder.UseCeleryResultBackend(sp => sp.GetRequiredService<RedisCeleryResultBackend>());
    }
}
