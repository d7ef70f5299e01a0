using Celeriac.Results;
using Celeriac.Revocation;

namespace Celeriac.Client;

/// <summary>What an application does with tasks once enqueued: wait for results, revoke.</summary>
public sealed class TaskControl(IResultStore results, IRevocationStore revocations, TimeProvider time, IEnumerable<IResultSource>? sources = null)
{
    private readonly IResultSource[] _sources = sources is null ? [] : [.. sources];

    /// <summary>How long a revocation is remembered unless told otherwise.</summary>
    public static readonly TimeSpan DefaultRevocationExpiry = TimeSpan.FromDays(1);

    public TaskHandle Handle(string taskId)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        return new TaskHandle(taskId, results, time, _sources);
    }

    /// <summary>A queued task is discarded when received; a running one has its cancellation token cancelled within a second.</summary>
    public ValueTask RevokeAsync(string taskId, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        return revocations.RevokeAsync(taskId, expiry ?? DefaultRevocationExpiry, cancellationToken);
    }

    /// <summary>Revokes every task of this name enqueued until now, queued or running; later enqueues run as usual.</summary>
    public ValueTask RevokeTaskNameAsync(string taskName, TimeSpan? expiry = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        return revocations.RevokeTaskNameAsync(taskName, expiry ?? DefaultRevocationExpiry, cancellationToken);
    }
}
