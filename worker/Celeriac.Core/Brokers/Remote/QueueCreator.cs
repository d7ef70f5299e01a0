using System.Collections.Concurrent;

namespace Celeriac.Brokers.Remote;

/// <summary>
/// Creates each missing queue once per process, on first use: concurrent callers share one creation, no caller's
/// cancellation cancels it, and a failure is not remembered (the next caller tries again).
/// </summary>
public sealed class QueueCreator(Func<string, CancellationToken, Task> create)
{
    private readonly ConcurrentDictionary<string, Task> _created = new(StringComparer.Ordinal);

    public async Task EnsureAsync(string queue, CancellationToken cancellationToken)
    {
        var task = _created.GetOrAdd(queue, q => create(q, CancellationToken.None));
        try
        {
            await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (task.IsFaulted || task.IsCanceled)
        {
            _created.TryRemove(new KeyValuePair<string, Task>(queue, task));
            throw;
        }
    }

    /// <summary>The queue was found missing after all (deleted behind this process's back): the next use creates it again.</summary>
    public void Forget(string queue) => _created.TryRemove(queue, out _);
}
