using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using Celeriac.Brokers;
using Celeriac.ServiceBus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Hosting;

public static class ServiceBusCeleriacBuilderExtensions
{
    /// <summary>
    /// Uses Azure Service Bus, registered once as <see cref="IBroker"/> and <see cref="IBrokerAdmin"/>. Options come from
    /// <c>Celeriac:Broker:ServiceBus</c>, then from <paramref name="configure"/>. The broker calls the
    /// <see cref="ServiceBusClient"/> and <see cref="ServiceBusAdministrationClient"/> the app registered (e.g. with
    /// Microsoft.Extensions.Azure's <c>AddServiceBusClient</c>), else ones built from these options
    /// (<see cref="ServiceBusClientFactory"/>). Lock renewal is a hosted service.
    /// </summary>
    public static CeleriacBuilder UseServiceBusBroker(this CeleriacBuilder builder, Action<ServiceBusBrokerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCeleriacOptions<ServiceBusBrokerOptions, ServiceBusBrokerOptionsValidator>(configure);

        builder.Services.TryAddSingleton(sp => ServiceBusClientFactory.CreateClient(sp.GetRequiredService<IOptions<ServiceBusBrokerOptions>>().Value));
        builder.Services.TryAddSingleton(sp => ServiceBusClientFactory.CreateAdministrationClient(sp.GetRequiredService<IOptions<ServiceBusBrokerOptions>>().Value));
        builder.Services.TryAddSingleton(sp => new ServiceBusLocks(
            sp.GetRequiredService<IOptions<ServiceBusBrokerOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<ServiceBusLocks>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ServiceBusLocks>());
        builder.Services.TryAddSingleton(sp => new ServiceBusBroker(
            sp.GetRequiredService<ServiceBusClient>(),
            sp.GetRequiredService<ServiceBusAdministrationClient>,
            sp.GetRequiredService<IOptions<ServiceBusBrokerOptions>>().Value,
            sp.GetRequiredService<ServiceBusLocks>(),
            ownsLocks: false,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<ServiceBusBroker>>()));
        builder.UseBroker(sp => sp.GetRequiredService<ServiceBusBroker>());
        return builder;
    }
}
