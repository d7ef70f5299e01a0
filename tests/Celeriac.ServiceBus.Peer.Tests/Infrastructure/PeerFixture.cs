using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;

namespace Celeriac.ServiceBus.Peer.Tests.Infrastructure;

/// <summary>One peer per test class; tests keep apart by queue name. Clients are the unmodified SDK over loopback sockets.</summary>
public sealed class PeerFixture : IAsyncLifetime
{
    private ServiceBusPeer? _peer;

    public ServiceBusPeer Peer => _peer ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _peer = await ServiceBusPeer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_peer is not null) await _peer.DisposeAsync();
    }

    /// <summary>A queue of its own for one test.</summary>
    public string NewQueue(PeerQueueSettings? settings = null)
    {
        var name = "q-" + Guid.NewGuid().ToString("N")[..12];
        Assert.True(Peer.CreateQueue(name, settings));
        return name;
    }

    /// <summary>A client with short tries, so that a peer that does not answer fails a test quickly instead of hanging it.</summary>
    public ServiceBusClient Client() => new(Peer.ConnectionString, new ServiceBusClientOptions
    {
        RetryOptions = new ServiceBusRetryOptions { TryTimeout = TimeSpan.FromSeconds(10), MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(50) },
    });

    public ServiceBusAdministrationClient Administration() => new(Peer.ConnectionString);
}
