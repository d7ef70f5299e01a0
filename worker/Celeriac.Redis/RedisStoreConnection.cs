using Microsoft.Extensions.Logging;

namespace Celeriac.Redis;

/// <summary>
/// The store's own connection when the store is configured apart from the broker (<c>Celeriac:Store:Redis</c>),
/// registered under its own type so that it never replaces or reuses a Redis broker's <see cref="RedisConnection"/>.
/// </summary>
public sealed class RedisStoreConnection : IDisposable
{
    public RedisStoreConnection(RedisStoreOptions options, ILogger<RedisConnection>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Connection = new RedisConnection(new RedisBrokerOptions { ConnectionString = options.ConnectionString, KeyPrefix = options.KeyPrefix }, logger);
    }

    public RedisConnection Connection { get; }

    public void Dispose() => Connection.Dispose();
}
