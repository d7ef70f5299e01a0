using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using Celeriac.Brokers;

namespace Celeriac.ServiceBus.Tests.RealNamespace;

/// <summary>
/// The broker contract against a real Service Bus namespace. Compiled only when CELERIAC_SERVICEBUS_CONNECTION_STRING
/// is set at build time (see the project file), and run with it: the connection string needs Manage rights, since the
/// broker creates its queues (prefix <c>celeriac-test-...-</c>, five-second locks, the service's minimum), reads their
/// counts and lists them. Every queue with the test's prefix is deleted afterwards.
/// </summary>
public sealed class RealServiceBusContractTests : BrokerContractTests
{
    public const string Variable = "CELERIAC_SERVICEBUS_CONNECTION_STRING";
    private readonly string _prefix = "celeriac-test-" + Guid.NewGuid().ToString("N")[..8] + "-";
    private readonly ServiceBusClient _client;
    private readonly ServiceBusAdministrationClient _administration;

    public RealServiceBusContractTests()
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable)
            ?? throw new InvalidOperationException($"{Variable} was set when this project was built but is not set now.");
        _client = new ServiceBusClient(connectionString);
        _administration = new ServiceBusAdministrationClient(connectionString);
    }

    private ServiceBusBrokerOptions Options => new()
    {
        QueuePrefix = _prefix,
        AutoCreateQueues = true,
        LockDuration = TimeSpan.FromSeconds(5),
    };

    protected override IBroker CreateBroker() => new ServiceBusBroker(_client, _administration, Options);

    protected override TimeSpan ShortLease => TimeSpan.FromSeconds(5);

    protected override bool OldestReadyAgeLeavesOutLeased => false;

    protected override bool PurgeDeletesRunningMessages => true;

    protected override TimeSpan Patience => TimeSpan.FromSeconds(60);

    protected override async ValueTask CleanupAsync()
    {
        await foreach (var queue in _administration.GetQueuesAsync())
            if (queue.Name.StartsWith(_prefix, StringComparison.Ordinal)) await _administration.DeleteQueueAsync(queue.Name);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _client.DisposeAsync();
    }
}
