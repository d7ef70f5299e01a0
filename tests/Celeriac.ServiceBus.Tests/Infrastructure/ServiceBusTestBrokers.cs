using Celeriac.ServiceBus.Client;
using Celeriac.ServiceBus.Fake;

namespace Celeriac.ServiceBus.Tests.Infrastructure;

/// <summary>Brokers and clients on the fake, with the settings every test uses: one-second locks so that expiry can be watched.</summary>
public static class ServiceBusTestBrokers
{
    public static ServiceBusBrokerOptions Options(FakeServiceBus fake, string prefix) => new()
    {
        ConnectionString = fake.ConnectionString,
        QueuePrefix = prefix,
        AutoCreateQueues = true,
        LockDuration = TimeSpan.FromSeconds(1),
    };

    public static ServiceBusRestClient Client(ServiceBusBrokerOptions options, HttpMessageHandler? handler = null) =>
        ServiceBusClientFactory.Create(options.ConnectionString, options.FullyQualifiedNamespace, options.ToClientOptions() with { RetryDelay = TimeSpan.FromMilliseconds(20) }, handler: handler);

    public static ServiceBusBroker Broker(ServiceBusBrokerOptions options, HttpMessageHandler? handler = null) =>
        new(Client(options, handler), options, ownsClient: true);
}
