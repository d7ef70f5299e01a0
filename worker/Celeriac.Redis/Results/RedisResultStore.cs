using Celeriac.Redis.Store;
using Celeriac.Results;

namespace Celeriac.Redis.Results;

/// <summary>Task results in Redis: a key per task that expires.</summary>
public sealed class RedisResultStore(RedisStoreKeys keys) : IResultStore
{
    public async ValueTask SetAsync(TaskResult result, TimeSpan expiry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        await keys.Database.StringSetAsync(keys.Key("result", result.TaskId), result.ToJson(), expiry).ConfigureAwait(false);
    }

    public async ValueTask<TaskResult?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        var stored = await keys.Database.StringGetAsync(keys.Key("result", taskId)).ConfigureAwait(false);
        return stored.IsNull ? null : TaskResult.FromJson((byte[])stored!);
    }
}
