namespace Celeriac.Redis;

/// <summary>Settings of a Redis store chosen next to another broker, bound from <c>Celeriac:Store:Redis</c>.</summary>
public sealed class RedisStoreOptions
{
    /// <summary>A StackExchange.Redis connection string, e.g. <c>redis:6379,password=...</c>.</summary>
    public string ConnectionString { get; set; } = "localhost:6379";

    /// <summary>Prefix of every key, so that several applications can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "celeriac";
}
