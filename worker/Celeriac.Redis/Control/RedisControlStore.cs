using Celeriac.Control;
using Celeriac.Redis.Store;
using StackExchange.Redis;

namespace Celeriac.Redis.Control;

/// <summary>Control settings in Redis: a hash of entries and a counter for their version, changed together (<c>set.lua</c>, <c>get.lua</c>).</summary>
public sealed class RedisControlStore(RedisStoreKeys keys) : IControlStore
{
    private const string Group = "control";
    private static readonly string Set = RedisLua.Load("Control/set.lua");
    private static readonly string Get = RedisLua.Load("Control/get.lua");

    private RedisKey[] Keys => [keys.Tagged(Group, "entries"), keys.Tagged(Group, "version")];

    public async ValueTask<long> SetAsync(string key, string? value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return (long)await keys.Database.ScriptEvaluateAsync(Set, Keys, [key, value ?? "", value is null ? "1" : "0"]).ConfigureAwait(false);
    }

    public async ValueTask<ControlSnapshot?> GetAsync(long knownVersion, CancellationToken cancellationToken)
    {
        var result = await keys.Database.ScriptEvaluateAsync(Get, Keys, [knownVersion]).ConfigureAwait(false);
        if (result.IsNull) return null;
        var parts = (RedisResult[])result!;
        var pairs = (RedisResult[])parts[1]!;
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < pairs.Length; i += 2) entries[(string)pairs[i]!] = (string)pairs[i + 1]!;
        return new ControlSnapshot((long)parts[0], entries);
    }
}
