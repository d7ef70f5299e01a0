using System.Globalization;
using Celeriac.Hosting;
using Celeriac.ServiceBus.Peer;

namespace Celeriac.ServiceBus.Tests.Infrastructure;

/// <summary>
/// A test's world on the Service Bus peer: its own queue prefix; workers configured the way a pod would be
/// (<c>Celeriac__Broker__Type=serviceBus</c>, the peer's <c>UseDevelopmentEmulator=true</c> connection string), so the
/// unmodified SDK in each worker process speaks AMQP to the peer over a loopback socket. Queues get a three-second
/// LockDuration, so a task of several seconds needs its lock renewed.
/// </summary>
public sealed class ServiceBusScenario(ServiceBusPeer peer, string prefix) : WorkerProcessScenario("sb", _ => c => c.UseServiceBusBroker(o =>
{
    o.ConnectionString = peer.ConnectionString;
    o.QueuePrefix = prefix;
    o.AutoCreateQueues = true;
    o.LockDuration = TimeSpan.Parse(LockDuration, CultureInfo.InvariantCulture);
}))
{
    public const string LockDuration = "00:00:03";

    public string Prefix { get; } = prefix;

    protected override IReadOnlyDictionary<string, string> BrokerEnvironment => new Dictionary<string, string>
    {
        ["Celeriac__Broker__Type"] = "serviceBus",
        ["Celeriac__Broker__ServiceBus__ConnectionString"] = peer.ConnectionString,
        ["Celeriac__Broker__ServiceBus__QueuePrefix"] = Prefix,
        ["Celeriac__Broker__ServiceBus__AutoCreateQueues"] = "true",
        ["Celeriac__Broker__ServiceBus__LockDuration"] = LockDuration,
    };
}
