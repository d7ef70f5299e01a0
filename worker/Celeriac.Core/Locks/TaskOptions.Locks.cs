using System.Text.Json;
using Celeriac.Locks;

namespace Celeriac.Tasks;

/// <summary>The lock options of a task type (<see cref="TaskLockMiddleware"/>).</summary>
public sealed partial class TaskOptions
{
    /// <summary>At most one running instance per lock key: wait for the holder, or skip duplicates at enqueue.</summary>
    public TaskLockMode Lock { get; set; }

    /// <summary>A lock not renewed for this long expires (its worker died). Renewed while the task runs.</summary>
    public TimeSpan LockTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a task that finds its lock held waits before it tries again.</summary>
    public TimeSpan LockRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Key the lock on these argument fields only (e.g. <c>customerId</c>), not on all the args.</summary>
    public List<string> LockKeyFields { get; set; } = [];

    /// <summary>Key the lock on what this returns for the task's JSON args. Code only; wins over <see cref="LockKeyFields"/>.</summary>
    public Func<JsonElement, string>? LockKey { get; set; }
}
