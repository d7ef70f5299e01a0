using Celeriac.Brokers;
using Celeriac.ServiceBus.Tests.Infrastructure;
using Celeriac.Testing;

namespace Celeriac.ServiceBus.Tests;

/// <summary>
/// The broker contract on the fake namespace. Queues are created with a two-second LockDuration, so the short lease is
/// two seconds; longer leases are kept by lock renewal.
/// </summary>
public sealed class ServiceBusBrokerContractTests(FakeServiceBusFixture fixture) : BrokerContractTests, IClassFixture<FakeServiceBusFixture>
{
    private readonly string _prefix = fixture.NewPrefix();

    protected override IBroker CreateBroker() => ServiceBusTestBrokers.Broker(ServiceBusTestBrokers.Options(fixture.Fake, _prefix));

    protected override TimeSpan ShortLease => TimeSpan.FromSeconds(2);

    protected override bool PurgeDeletesRunningMessages => true;
}
