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
        // The real service's minimum is 5 s; 2 s keeps the tests quick and leaves a loaded machine slack for renewals.
        LockDuration = TimeSpan.FromSeconds(2),
    };

    public static ServiceBusRestClient Client(ServiceBusBrokerOptions options, HttpMessageHandler? handler = null) =>
        ServiceBusClientFactory.Create(options.ConnectionString, options.FullyQualifiedNamespace, options.ToClientOptions() with { RetryDelay = TimeSpan.FromMilliseconds(20) }, handler: handler);

    public static ServiceBusBroker Broker(ServiceBusBrokerOptions options, HttpMessageHandler? handler = null) =>
        new(Client(options, handler), options, ownsClient: true);
}
