using Celeriac.Locks;
using Celeriac.Redis.Store;

namespace Celeriac.Redis.Locks;

/// <summary>Task locks in Redis: a key per lock holding its owner, with a time to live.</summary>
public sealed class RedisTaskLockStore(RedisStoreKeys keys) : ITaskLockStore
{
    private static readonly string Acquire = RedisLua.Load("Locks/acquire.lua");
    private static readonly string Release = RedisLua.Load("Locks/release.lua");

    public async ValueTask<string> AcquireAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken) =>
        (string)(await keys.Database.ScriptEvaluateAsync(Acquire, [keys.Key("lock", key)], [owner, (long)Math.Ceiling(ttl.TotalMilliseconds)]).ConfigureAwait(false))!;

    public async ValueTask ReleaseAsync(string key, string owner, CancellationToken cancellationToken) =>
        await keys.Database.ScriptEvaluateAsync(Release, [keys.Key("lock", key)], [owner]).ConfigureAwait(false);
}
