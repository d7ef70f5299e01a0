using StackExchange.Redis;

namespace Celeriac.Redis.Store;

/// <summary>The store's database and its keys, all under the connection's key prefix.</summary>
public sealed class RedisStoreKeys(RedisConnection connection)
{
    private readonly string _prefix = connection.Options.KeyPrefix;

    public IDatabase Database => connection.Database;

    /// <summary><c>prefix:kind:name</c>.</summary>
    public RedisKey Key(string kind, string name) => $"{_prefix}:{kind}:{name}";

    /// <summary><c>prefix:name</c>, for a structure the store keeps one of (the revoked set).</summary>
    public RedisKey Key(string name) => $"{_prefix}:{name}";
}
