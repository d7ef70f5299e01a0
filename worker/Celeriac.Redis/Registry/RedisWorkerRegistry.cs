using Celeriac.Redis.Store;
using Celeriac.Registry;
using StackExchange.Redis;

namespace Celeriac.Redis.Registry;

/// <summary>
/// The worker registry in Redis: an entry per worker that expires, and a sorted set of their ids scored by expiry (on the
/// server's clock), so that listing reads one small set (<c>heartbeat.lua</c>, <c>list.lua</c>).
/// </summary>
public sealed class RedisWorkerRegistry(RedisStoreKeys keys) : IWorkerRegistry
{
    private const string Group = "workers";
    private static readonly string Heartbeat = RedisLua.Load("Registry/heartbeat.lua");
    private static readonly string List = RedisLua.Load("Registry/list.lua");

    public async ValueTask HeartbeatAsync(WorkerInfo worker, TimeSpan keepFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        await keys.Database.ScriptEvaluateAsync(Heartbeat, [keys.Tagged(Group, "index"), keys.Tagged(Group, "w:" + worker.Id)],
            [worker.Id, worker.ToJson(), (long)Math.Ceiling(keepFor.TotalMilliseconds)]).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<WorkerInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await keys.Database.ScriptEvaluateAsync(List, [keys.Tagged(Group, "index")], [keys.TagOf(Group) + "w:"]).ConfigureAwait(false))!;
        return [.. result.Select(r => WorkerInfo.FromJson((byte[])r!))];
    }
}
