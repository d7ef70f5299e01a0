namespace Celeriac.Revocation;

/// <summary>Revoked task ids and task names, each until its expiry. Workers poll <see cref="GetRevokedAsync"/> and <see cref="GetRevokedTaskNamesAsync"/>.</summary>
public interface IRevocationStore
{
    ValueTask RevokeAsync(string taskId, TimeSpan expiry, CancellationToken cancellationToken);

    /// <summary>Every revocation that has not expired.</summary>
    ValueTask<IReadOnlyCollection<string>> GetRevokedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Revokes every task named <paramref name="taskName"/> created before now by the store's clock (queued or running),
    /// until <paramref name="expiry"/>; tasks enqueued later are not affected. Revoking the name again moves "now" on.
    /// </summary>
    ValueTask RevokeTaskNameAsync(string taskName, TimeSpan expiry, CancellationToken cancellationToken);

    /// <summary>Every task-name revocation that has not expired: the name and when it was revoked.</summary>
    ValueTask<IReadOnlyDictionary<string, DateTimeOffset>> GetRevokedTaskNamesAsync(CancellationToken cancellationToken);
}
