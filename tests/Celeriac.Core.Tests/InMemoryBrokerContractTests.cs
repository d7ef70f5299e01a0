using Celeriac.Brokers;

namespace Celeriac.Tests;

/// <summary>The broker contract on the in-memory broker, the reference that the durable brokers follow.</summary>
public sealed class InMemoryBrokerContractTests : BrokerContractTests
{
    protected override IBroker CreateBroker() => new InMemoryBroker();
}
