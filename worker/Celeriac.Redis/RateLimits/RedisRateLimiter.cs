using Celeriac.RateLimits;
using Celeriac.Redis.Store;

namespace Celeriac.Redis.RateLimits;

/// <summary>Rate limits in Redis, on the server's clock: the next free slot per limit, and a reserved slot per ticket (<c>reserve.lua</c>).</summary>
public sealed class RedisRateLimiter(RedisStoreKeys keys) : IRateLimiter
{
    private static readonly string Reserve = RedisLua.Load("RateLimits/reserve.lua");

    public async ValueTask<TimeSpan> ReserveAsync(string key, RateLimit limit, string ticket, TimeSpan consumeWithin, CancellationToken cancellationToken)
    {
        var wait = (long)await keys.Database.ScriptEvaluateAsync(Reserve,
            [keys.Key("rate", key), keys.Key("rate-ticket", key + ":" + ticket)],
            [limit.Interval.Ticks / 10, consumeWithin.Ticks / 10]).ConfigureAwait(false);
        return TimeSpan.FromTicks(wait * 10);
    }
}
