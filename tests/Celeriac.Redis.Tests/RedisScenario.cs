using Celeriac.Hosting;

namespace Celeriac.Redis.Tests;

/// <summary>A test's world on a real redis-server: the producer and the worker processes share the options' server and key prefix.</summary>
public sealed class RedisScenario(RedisBrokerOptions options) : WorkerProcessScenario("redis", _ => c => c.UseRedisBroker(o =>
{
    o.ConnectionString = options.ConnectionString;
    o.KeyPrefix = options.KeyPrefix;
}))
{
    public RedisBrokerOptions Options => options;

    protected override IReadOnlyDictionary<string, string> BrokerEnvironment => new Dictionary<string, string>
    {
        ["Celeriac__Broker__Type"] = "redis",
        ["Celeriac__Broker__Redis__ConnectionString"] = options.ConnectionString,
        ["Celeriac__Broker__Redis__KeyPrefix"] = options.KeyPrefix,
    };
}
