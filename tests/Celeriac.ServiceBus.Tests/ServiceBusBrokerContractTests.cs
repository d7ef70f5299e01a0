using Celeriac.Brokers;
using Celeriac.ServiceBus.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Tests;

/// <summary>
/// The broker contract through the unmodified SDK against the AMQP peer. Queues are created with a two-second
/// LockDuration, so the short lease is two seconds; longer leases are kept by lock renewal.
/// </summary>
public sealed class ServiceBusBrokerContractTests(ServiceBusPeerFixture fixture) : BrokerContractTests, IClassFixture<ServiceBusPeerFixture>
{
    private readonly string _prefix = fixture.NewPrefix();

    protected override IBroker CreateBroker() => ServiceBusTestBrokers.Broker(fixture, ServiceBusTestBrokers.Options(fixture, _prefix));

    protected override TimeSpan ShortLease => TimeSpan.FromSeconds(2);

    // Peek does not say whether a message is locked (ServiceBusBroker.GetOldestReadyAgeAsync).
    protected override bool OldestReadyAgeLeavesOutLeased => false;

    protected override bool PurgeDeletesRunningMessages => true;
}
