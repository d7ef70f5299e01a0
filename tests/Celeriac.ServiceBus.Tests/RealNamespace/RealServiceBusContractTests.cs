using Celeriac.Brokers;
using Celeriac.ServiceBus.Client;
using Celeriac.Testing;

namespace Celeriac.ServiceBus.Tests.RealNamespace;

/// <summary>
/// The broker contract against a real Service Bus namespace. Compiled only when CELERIAC_SERVICEBUS_CONNECTION_STRING
/// is set at build time (see the project file), and run with it: the connection string needs Manage rights, since the
/// broker creates its queues (prefix <c>celeriac-test-...-</c>, five-second locks, the service's minimum) and
/// purges by deleting and re-creating a queue. Every queue with the test's prefix is deleted afterwards.
/// </summary>
public sealed class RealServiceBusContractTests : BrokerContractTests
{
    public const string Variable = "CELERIAC_SERVICEBUS_CONNECTION_STRING";
    private readonly string _connectionString = Environment.GetEnvironmentVariable(Variable)
        ?? throw new InvalidOperationException($"{Variable} was set when this project was built but is not set now.");
    private readonly string _prefix = "celeriac-test-" + Guid.NewGuid().ToString("N")[..8] + "-";

    private ServiceBusBrokerOptions Options => new()
    {
        ConnectionString = _connectionString,
        QueuePrefix = _prefix,
        AutoCreateQueues = true,
        LockDuration = TimeSpan.FromSeconds(5),
    };

    protected override IBroker CreateBroker() => new ServiceBusBroker(ServiceBusClientFactory.Create(_connectionString, null), Options, ownsClient: true);

    protected override TimeSpan ShortLease => TimeSpan.FromSeconds(5);

    protected override bool PurgeDeletesRunningMessages => true;

    protected override TimeSpan Patience => TimeSpan.FromSeconds(60);

    protected override async ValueTask CleanupAsync()
    {
        using var client = ServiceBusClientFactory.Create(_connectionString, null);
        foreach (var queue in await client.ListQueuesAsync(CancellationToken.None))
            if (queue.StartsWith(_prefix, StringComparison.Ordinal)) await client.DeleteQueueAsync(queue, CancellationToken.None);
    }
}
