namespace Celeriac.Redis.Tests;

/// <summary>
/// Real worker processes on a real redis-server: the shared process behaviour (SIGKILL, hard time limit, SIGTERM drain,
/// retries and dead letters), with waiting receives blocked in XREADGROUP whenever the queue runs dry.
/// </summary>
public sealed class RedisWorkerBehaviourTests(RedisServerFixture redis) : WorkerProcessBehaviourTests, IClassFixture<RedisServerFixture>
{
    protected override WorkerProcessScenario NewScenario() => new RedisScenario(redis.NewOptions());
}
