
namespace Celeriac.Redis.Tests;

/// <summary>One redis-server without persistence, shared by the tests of a class; each test uses its own key prefix.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? _server;

    public RedisServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    public RedisBrokerOptions NewOptions() => new()
    {
        ConnectionString = Server.ConnectionString,
        KeyPrefix = "t" + Guid.NewGuid().ToString("N")[..10],
    };
}
