using Celeriac.Brokers;
using Celeriac.ServiceBus;
using Celeriac.ServiceBus.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Hosting;

public static class ServiceBusCeleriacBuilderExtensions
{
    /// <summary>
    /// Uses Azure Service Bus, registered once as <see cref="IBroker"/> and <see cref="IBrokerAdmin"/>. Options come from
    /// <c>Celeriac:Broker:ServiceBus</c>, then from <paramref name="configure"/>. The client is registered as
    /// <see cref="IServiceBusClient"/> unless one is registered already (tests register a counting one).
    /// </summary>
    public static CeleriacBuilder UseServiceBusBroker(this CeleriacBuilder builder, Action<ServiceBusBrokerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<ServiceBusBrokerOptions>();
        if (builder.Configuration is not null) options.Bind(builder.Configuration.GetSection("Broker:ServiceBus"));
        if (configure is not null) options.Configure(configure);

        builder.Services.TryAddSingleton<IServiceBusClient>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ServiceBusBrokerOptions>>().Value;
            return ServiceBusClientFactory.Create(o.ConnectionString, o.FullyQualifiedNamespace, o.ToClientOptions(),
                managedIdentityClientId: o.ManagedIdentityClientId, time: sp.GetService<TimeProvider>(), loggers: sp.GetService<ILoggerFactory>());
        });
        builder.Services.TryAddSingleton(sp => new ServiceBusBroker(
            sp.GetRequiredService<IServiceBusClient>(),
            sp.GetRequiredService<IOptions<ServiceBusBrokerOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<ServiceBusBroker>>()));
        builder.UseBroker(sp => sp.GetRequiredService<ServiceBusBroker>());
        return builder;
    }
}
