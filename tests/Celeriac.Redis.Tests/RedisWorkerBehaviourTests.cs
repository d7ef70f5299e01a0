using Celeriac.Hosting;

namespace Celeriac.Redis.Tests;

/// <summary>
/// Real worker processes on a real redis-server: the shared process behaviour (SIGKILL, hard time limit, SIGTERM drain,
/// retries and dead letters), with waiting receives blocked in XREADGROUP whenever the queue runs dry.
/// </summary>
public sealed class RedisWorkerBehaviourTests(RedisServerFixture redis) : WorkerProcessBehaviourTests, IClassFixture<RedisServerFixture>
{
    protected override WorkerProcessScenario NewScenario() => new RedisScenario(redis.NewOptions());

    private sealed class RedisScenario(RedisBrokerOptions options) : WorkerProcessScenario("redis", _ => c => c.UseRedisBroker(o =>
    {
        o.ConnectionString = options.ConnectionString;
        o.KeyPrefix = options.KeyPrefix;
    }))
    {
        protected override IReadOnlyDictionary<string, string> BrokerEnvironment => new Dictionary<string, string>
        {
            ["Celeriac__Broker__Type"] = "redis",
            ["Celeriac__Broker__Redis__ConnectionString"] = options.ConnectionString,
            ["Celeriac__Broker__Redis__KeyPrefix"] = options.KeyPrefix,
        };
    }
}
