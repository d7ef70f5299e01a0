using Celeriac.Redis.Store;
using Celeriac.Revocation;
using StackExchange.Redis;

namespace Celeriac.Redis.Revocation;

/// <summary>
/// Revocations in Redis, on the server's clock: task ids in a sorted set scored by expiry; task names in a sorted set
/// scored by expiry beside a hash of when each was revoked.
/// </summary>
public sealed class RedisRevocationStore(RedisStoreKeys keys) : IRevocationStore
{
    private static readonly string Revoke = RedisLua.Load("Revocation/revoke.lua");
    private static readonly string Revoked = RedisLua.Load("Revocation/revoked.lua");
    private static readonly string RevokeName = RedisLua.Load("Revocation/revoke_name.lua");
    private static readonly string RevokedNames = RedisLua.Load("Revocation/revoked_names.lua");

    private RedisKey[] Names => [keys.Key("revoked-names"), keys.Key("revoked-names-at")];

    public async ValueTask RevokeAsync(string taskId, TimeSpan expiry, CancellationToken cancellationToken) =>
        await keys.Database.ScriptEvaluateAsync(Revoke, [keys.Key("revoked")], [taskId, (long)Math.Ceiling(expiry.TotalMilliseconds)]).ConfigureAwait(false);

    public async ValueTask<IReadOnlyCollection<string>> GetRevokedAsync(CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await keys.Database.ScriptEvaluateAsync(Revoked, [keys.Key("revoked")]).ConfigureAwait(false))!;
        return [.. result.Select(r => (string)r!)];
    }

    public async ValueTask RevokeTaskNameAsync(string taskName, TimeSpan expiry, CancellationToken cancellationToken) =>
        await keys.Database.ScriptEvaluateAsync(RevokeName, Names, [taskName, (long)Math.Ceiling(expiry.TotalMilliseconds)]).ConfigureAwait(false);

    public async ValueTask<IReadOnlyDictionary<string, DateTimeOffset>> GetRevokedTaskNamesAsync(CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await keys.Database.ScriptEvaluateAsync(RevokedNames, Names).ConfigureAwait(false))!;
        var names = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < result.Length; i += 2) names[(string)result[i]!] = DateTimeOffset.FromUnixTimeMilliseconds((long)result[i + 1]);
        return names;
    }
}
