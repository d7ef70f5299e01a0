using Celeriac.Stores;

namespace Celeriac.Redis.Tests;

/// <summary>A Redis store with a connection of its own, closed with it (as in a separate worker process).</summary>
public sealed class OwnedRedisTaskStore(RedisBrokerOptions options) : IRateLimiter, ITaskLockStore, IResultStore, IRevocationStore, IWorkflowStore, IFanOutProgressStore, IDisposable
{
    private readonly RedisConnection _connection = new(options);
    private RedisTaskStore Store => new(_connection);

    public ValueTask<TimeSpan> ReserveAsync(string key, RateLimit limit, string ticket, TimeSpan consumeWithin, CancellationToken cancellationToken) =>
        Store.ReserveAsync(key, limit, ticket, consumeWithin, cancellationToken);

    public ValueTask<string> AcquireAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken) => Store.AcquireAsync(key, owner, ttl, cancellationToken);

    public ValueTask ReleaseAsync(string key, string owner, CancellationToken cancellationToken) => Store.ReleaseAsync(key, owner, cancellationToken);

    public ValueTask SetAsync(TaskResult result, TimeSpan expiry, CancellationToken cancellationToken) => Store.SetAsync(result, expiry, cancellationToken);

    public ValueTask<TaskResult?> GetAsync(string taskId, CancellationToken cancellationToken) => Store.GetAsync(taskId, cancellationToken);

    public ValueTask RevokeAsync(string taskId, TimeSpan expiry, CancellationToken cancellationToken) => Store.RevokeAsync(taskId, expiry, cancellationToken);

    public ValueTask<IReadOnlyCollection<string>> GetRevokedAsync(CancellationToken cancellationToken) => Store.GetRevokedAsync(cancellationToken);

    public ValueTask RevokeTaskNameAsync(string taskName, TimeSpan expiry, CancellationToken cancellationToken) => Store.RevokeTaskNameAsync(taskName, expiry, cancellationToken);

    public ValueTask<IReadOnlyDictionary<string, DateTimeOffset>> GetRevokedTaskNamesAsync(CancellationToken cancellationToken) => Store.GetRevokedTaskNamesAsync(cancellationToken);
    public ValueTask<IReadOnlyList<string>?> JoinAsync(string joinId, int index, int size, string resultJson, TimeSpan expiry, CancellationToken cancellationToken) =>
        Store.JoinAsync(joinId, index, size, resultJson, expiry, cancellationToken);

    public ValueTask<string?> GetCheckpointAsync(string key, CancellationToken cancellationToken) => Store.GetCheckpointAsync(key, cancellationToken);

    public ValueTask SetCheckpointAsync(string key, string checkpoint, CancellationToken cancellationToken) => Store.SetCheckpointAsync(key, checkpoint, cancellationToken);

    public void Dispose() => _connection.Dispose();
}
