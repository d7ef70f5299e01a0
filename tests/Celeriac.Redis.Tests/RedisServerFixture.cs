using StackExchange.Redis;

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

    /// <summary>
    /// Waits until a client of the server at <paramref name="connectionString"/> is blocked in a read (<c>INFO clients</c>:
    /// <c>blocked_clients</c>), so that what is sent next wakes a receive that is already waiting.
    /// </summary>
    public static async Task UntilAReadBlocksAsync(string connectionString)
    {
        using var admin = await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        await Eventually.Until(async () => (await server.InfoAsync("clients")).SelectMany(g => g)
            .Any(kv => kv.Key == "blocked_clients" && kv.Value != "0"), "a receive is blocked on the server");
    }

    /// <summary>Waits until a client listens on <paramref name="channel"/> (<c>PUBSUB NUMSUB</c>).</summary>
    public static async Task UntilSubscribedAsync(string connectionString, string channel)
    {
        using var admin = await ConnectionMultiplexer.ConnectAsync(connectionString);
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        await Eventually.Until(async () => (long)((RedisResult[])(await server.ExecuteAsync("PUBSUB", "NUMSUB", channel))!)[1] > 0,
            $"a client subscribed to {channel}");
    }

    public RedisBrokerOptions NewOptions() => new()
    {
        ConnectionString = Server.ConnectionString,
        KeyPrefix = "t" + Guid.NewGuid().ToString("N")[..10],
    };
}
