using System.Globalization;
using Celeriac.Redis.Store;
using Celeriac.Workflows;
using StackExchange.Redis;

namespace Celeriac.Redis.Workflows;

/// <summary>Workflow group joins in Redis: a hash of member results and a completer key, under one hash tag (<c>join.lua</c>).</summary>
public sealed class RedisWorkflowStore(RedisStoreKeys keys) : IWorkflowStore
{
    private static readonly string Join = RedisLua.Load("Workflows/join.lua");

    public async ValueTask<IReadOnlyList<string>?> JoinAsync(string joinId, int index, int size, string resultJson, TimeSpan expiry, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        var tag = (string)keys.Key("join", $"{{{joinId}}}")!;
        var result = await keys.Database.ScriptEvaluateAsync(Join, [(RedisKey)(tag + ":members"), (RedisKey)(tag + ":completer")],
            [index, resultJson, size, (long)Math.Ceiling(expiry.TotalMilliseconds)]).ConfigureAwait(false);
        if (result.IsNull) return null;
        var pairs = (RedisResult[])result!;
        var ordered = new string[pairs.Length / 2];
        for (var i = 0; i < pairs.Length; i += 2) ordered[int.Parse((string)pairs[i]!, CultureInfo.InvariantCulture)] = (string)pairs[i + 1]!;
        return ordered;
    }
}
