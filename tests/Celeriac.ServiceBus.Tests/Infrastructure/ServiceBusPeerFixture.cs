using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using Celeriac.ServiceBus.Peer;

namespace Celeriac.ServiceBus.Tests.Infrastructure;

/// <summary>
/// One in-process Service Bus peer per test class (tests/Celeriac.ServiceBus.Peer: AMQP 1.0 and the Atom management
/// subset on one loopback port, docs/servicebus-peer.md), with the unmodified SDK's clients on it; tests keep apart by
/// queue prefix.
/// </summary>
public sealed class ServiceBusPeerFixture : IAsyncLifetime
{
    private ServiceBusPeer? _peer;
    private ServiceBusClient? _client;

    public ServiceBusPeer Peer => _peer ?? throw new InvalidOperationException("not started");

    /// <summary>Short tries, so that a peer that does not answer fails a test quickly instead of hanging it.</summary>
    public ServiceBusClient Client => _client ?? throw new InvalidOperationException("not started");

    public ServiceBusAdministrationClient Administration { get; private set; } = null!;

    public string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..10] + "-";

    public async Task InitializeAsync()
    {
        _peer = await ServiceBusPeer.StartAsync();
        _client = new ServiceBusClient(_peer.ConnectionString, new ServiceBusClientOptions
        {
            RetryOptions = new ServiceBusRetryOptions { TryTimeout = TimeSpan.FromSeconds(20), MaxRetries = 3, Delay = TimeSpan.FromMilliseconds(50) },
        });
        Administration = new ServiceBusAdministrationClient(_peer.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
        if (_peer is not null) await _peer.DisposeAsync();
    }
}
