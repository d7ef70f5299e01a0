using Celeriac.Hosting;
using Celeriac.Redis.FanOut;
using Celeriac.Redis.Locks;
using Celeriac.Redis.RateLimits;
using Celeriac.Redis.Results;
using Celeriac.Redis.Revocation;
using Celeriac.Redis.Workflows;

namespace Celeriac.Redis.Store;

/// <summary>The Redis store's features, shared by every worker, on the connection <paramref name="connection"/> picks.</summary>
public static class RedisStore
{
    public static StoreServices On(Func<IServiceProvider, RedisConnection> connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        RedisStoreKeys Keys(IServiceProvider sp) => new(connection(sp));
        return new StoreServices(
            sp => new RedisRateLimiter(Keys(sp)),
            sp => new RedisTaskLockStore(Keys(sp)),
            sp => new RedisResultStore(Keys(sp)),
            sp => new RedisRevocationStore(Keys(sp)),
            sp => new RedisWorkflowStore(Keys(sp)),
            sp => new RedisFanOutProgressStore(Keys(sp)));
    }
}
