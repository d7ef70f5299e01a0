namespace Celeriac.Stores;

/// <summary>Revoked task ids, each until its expiry. Workers poll <see cref="GetRevokedAsync"/>.</summary>
public interface IRevocationStore
{
    ValueTask RevokeAsync(string taskId, TimeSpan expiry, CancellationToken cancellationToken);

    /// <summary>Every revocation that has not expired.</summary>
    ValueTask<IReadOnlyCollection<string>> GetRevokedAsync(CancellationToken cancellationToken);
}
