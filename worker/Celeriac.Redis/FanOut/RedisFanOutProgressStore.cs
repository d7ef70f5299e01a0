using Celeriac.FanOut;
using Celeriac.Redis.Store;

namespace Celeriac.Redis.FanOut;

/// <summary>Fan-out checkpoints in Redis: a key each.</summary>
public sealed class RedisFanOutProgressStore(RedisStoreKeys keys) : IFanOutProgressStore
{
    public async ValueTask<string?> GetCheckpointAsync(string key, CancellationToken cancellationToken) =>
        await keys.Database.StringGetAsync(keys.Key("fanout", key)).ConfigureAwait(false) is { IsNull: false } value ? (string)value! : null;

    public async ValueTask SetCheckpointAsync(string key, string checkpoint, CancellationToken cancellationToken) =>
        await keys.Database.StringSetAsync(keys.Key("fanout", key), checkpoint).ConfigureAwait(false);
}
