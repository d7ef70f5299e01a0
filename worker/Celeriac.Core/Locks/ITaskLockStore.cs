namespace Celeriac.Locks;

/// <summary>Mutual exclusion by key with an owner token and a time to live, so a dead owner's lock expires.</summary>
public interface ITaskLockStore
{
    /// <summary>Takes the lock for <paramref name="owner"/>, or renews it when the owner already holds it. Returns the owner now holding it.</summary>
    ValueTask<string> AcquireAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Releases the lock if <paramref name="owner"/> still holds it.</summary>
    ValueTask ReleaseAsync(string key, string owner, CancellationToken cancellationToken);
}
