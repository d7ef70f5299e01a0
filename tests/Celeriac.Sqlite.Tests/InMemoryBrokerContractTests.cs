using Celeriac.Brokers;
using Celeriac.Testing;

namespace Celeriac.Sqlite.Tests;

/// <summary>The broker contract on the in-memory broker, the reference that the durable brokers follow.</summary>
public sealed class InMemoryBrokerContractTests : BrokerContractTests
{
    protected override IBroker CreateBroker() => new InMemoryBroker();
}
