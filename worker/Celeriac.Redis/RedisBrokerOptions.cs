namespace Celeriac.Redis;

/// <summary>Settings of the Redis broker and store, bound from <c>Celeriac:Broker:Redis</c>.</summary>
public sealed class RedisBrokerOptions
{
    /// <summary>A StackExchange.Redis connection string, e.g. <c>redis:6379,password=...</c>.</summary>
    public string ConnectionString { get; set; } = "localhost:6379";

    /// <summary>Prefix of every key, so that several applications can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "celeriac";

    /// <summary>
    /// Longest sleep of a waiting receive between two looks at the queues. Sends wake waiting receives at
    /// once through pub/sub; this bounds the delay when a notification was lost (e.g. during a reconnect).
    /// </summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A receive that finds its queues empty waits in a blocking XREADGROUP on a connection of its own, which wakes the
    /// moment a message arrives. Turn it off behind proxies that do not pass blocking commands; waits then rely on
    /// pub/sub notices alone.
    /// </summary>
    public bool BlockingReceive { get; set; } = true;
}
