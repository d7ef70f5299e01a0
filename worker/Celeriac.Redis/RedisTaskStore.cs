using Celeriac.Stores;
using StackExchange.Redis;

namespace Celeriac.Redis;

/// <summary>
/// The store on Redis, shared by every worker: rate limits (a slot per start, reserved per ticket), locks
/// (owner token with a TTL), results (a key per task that expires), revocations (a sorted set by expiry), workflow group
/// joins (a hash of member results and a completer key, under one hash tag) and fan-out checkpoints (a key each).
/// </summary>
public sealed class RedisTaskStore(RedisConnection connection) : IRateLimiter, ITaskLockStore, IResultStore, IRevocationStore, IWorkflowStore, IFanOutProgressStore
{
    private readonly string _prefix = connection.Options.KeyPrefix;

    private IDatabase Db => connection.Database;

    private RedisKey Key(string kind, string name) => $"{_prefix}:{kind}:{name}";

    public async ValueTask<TimeSpan> ReserveAsync(string key, RateLimit limit, string ticket, TimeSpan consumeWithin, CancellationToken cancellationToken)
    {
        var wait = (long)await Db.ScriptEvaluateAsync(RedisStoreScripts.Reserve,
            [Key("rate", key), Key("rate-ticket", key + ":" + ticket)],
            [limit.Interval.Ticks / 10, consumeWithin.Ticks / 10]).ConfigureAwait(false);
        return TimeSpan.FromTicks(wait * 10);
    }

    public async ValueTask<string> AcquireAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken) =>
        (string)(await Db.ScriptEvaluateAsync(RedisStoreScripts.Acquire, [Key("lock", key)], [owner, (long)Math.Ceiling(ttl.TotalMilliseconds)]).ConfigureAwait(false))!;

    public async ValueTask ReleaseAsync(string key, string owner, CancellationToken cancellationToken) =>
        await Db.ScriptEvaluateAsync(RedisStoreScripts.Release, [Key("lock", key)], [owner]).ConfigureAwait(false);

    public async ValueTask SetAsync(TaskResult result, TimeSpan expiry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        await Db.StringSetAsync(Key("result", result.TaskId), result.ToJson(), expiry).ConfigureAwait(false);
    }

    public async ValueTask<TaskResult?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        var stored = await Db.StringGetAsync(Key("result", taskId)).ConfigureAwait(false);
        return stored.IsNull ? null : TaskResult.FromJson((byte[])stored!);
    }

    public async ValueTask RevokeAsync(string taskId, TimeSpan expiry, CancellationToken cancellationToken) =>
        await Db.ScriptEvaluateAsync(RedisStoreScripts.Revoke, [(RedisKey)$"{_prefix}:revoked"], [taskId, (long)Math.Ceiling(expiry.TotalMilliseconds)]).ConfigureAwait(false);

    public async ValueTask RevokeTaskNameAsync(string taskName, TimeSpan expiry, CancellationToken cancellationToken) =>
        await Db.ScriptEvaluateAsync(RedisStoreScripts.RevokeName, [(RedisKey)$"{_prefix}:revoked-names", (RedisKey)$"{_prefix}:revoked-names-at"],
            [taskName, (long)Math.Ceiling(expiry.TotalMilliseconds)]).ConfigureAwait(false);

    public async ValueTask<IReadOnlyDictionary<string, DateTimeOffset>> GetRevokedTaskNamesAsync(CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisStoreScripts.RevokedNames,
            [(RedisKey)$"{_prefix}:revoked-names", (RedisKey)$"{_prefix}:revoked-names-at"]).ConfigureAwait(false))!;
        var names = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < result.Length; i += 2) names[(string)result[i]!] = DateTimeOffset.FromUnixTimeMilliseconds((long)result[i + 1]);
        return names;
    }

    public async ValueTask<IReadOnlyCollection<string>> GetRevokedAsync(CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(RedisStoreScripts.Revoked, [(RedisKey)$"{_prefix}:revoked"]).ConfigureAwait(false))!;
        return [.. result.Select(r => (string)r!)];
    }

    public async ValueTask<IReadOnlyList<string>?> JoinAsync(string joinId, int index, int size, string resultJson, TimeSpan expiry, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        var tag = $"{_prefix}:join:{{{joinId}}}";
        var result = await Db.ScriptEvaluateAsync(RedisStoreScripts.Join, [(RedisKey)(tag + ":members"), (RedisKey)(tag + ":completer")],
            [index, resultJson, size, (long)Math.Ceiling(expiry.TotalMilliseconds)]).ConfigureAwait(false);
        if (result.IsNull) return null;
        var pairs = (RedisResult[])result!;
        var ordered = new string[pairs.Length / 2];
        for (var i = 0; i < pairs.Length; i += 2) ordered[int.Parse((string)pairs[i]!, System.Globalization.CultureInfo.InvariantCulture)] = (string)pairs[i + 1]!;
        return ordered;
    }

    public async ValueTask<string?> GetCheckpointAsync(string key, CancellationToken cancellationToken) =>
        await Db.StringGetAsync(Key("fanout", key)).ConfigureAwait(false) is { IsNull: false } value ? (string)value! : null;

    public async ValueTask SetCheckpointAsync(string key, string checkpoint, CancellationToken cancellationToken) =>
        await Db.StringSetAsync(Key("fanout", key), checkpoint).ConfigureAwait(false);
}
