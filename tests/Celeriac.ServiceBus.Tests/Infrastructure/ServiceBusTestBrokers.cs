namespace Celeriac.ServiceBus.Tests.Infrastructure;

/// <summary>Brokers on the peer, with the settings every test uses: two-second locks, so that expiry can be watched.</summary>
public static class ServiceBusTestBrokers
{
    public static ServiceBusBrokerOptions Options(ServiceBusPeerFixture fixture, string prefix) => new()
    {
        ConnectionString = fixture.Peer.ConnectionString,
        QueuePrefix = prefix,
        AutoCreateQueues = true,
        // The real service's minimum is 5 s; 2 s keeps the tests quick and leaves a loaded machine slack for renewals.
        LockDuration = TimeSpan.FromSeconds(2),
    };

    /// <summary>A broker on the fixture's clients, with lock renewal of its own.</summary>
    public static ServiceBusBroker Broker(ServiceBusPeerFixture fixture, ServiceBusBrokerOptions options) =>
        new(fixture.Client, fixture.Administration, options);
}
