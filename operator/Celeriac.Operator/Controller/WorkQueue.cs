using System.Threading.Channels;

namespace Celeriac.Operator.Controller;

/// <summary>
/// Keys to reconcile, as client-go's workqueue: a key is queued once however often it is added, is never
/// processed by two workers at once (an add during processing queues it again when done), and failures
/// back off exponentially per key.
/// </summary>
public sealed class WorkQueue<TKey>(TimeProvider time, TimeSpan backoffBase, TimeSpan backoffMax) where TKey : notnull
{
    private readonly Lock gate = new();
    private readonly Channel<TKey> ready = Channel.CreateUnbounded<TKey>();
    private readonly HashSet<TKey> queued = [];
    private readonly HashSet<TKey> processing = [];
    private readonly HashSet<TKey> dirty = [];
    private readonly Dictionary<TKey, int> failures = [];

    public void Add(TKey key)
    {
        lock (gate)
        {
            if (processing.Contains(key))
            {
                dirty.Add(key);
                return;
            }
            if (!queued.Add(key)) return;
        }
        ready.Writer.TryWrite(key);
    }

    public void AddAfter(TKey key, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }
        _ = Task.Delay(delay, time, cancellationToken).ContinueWith(t => { if (!t.IsCanceled) Add(key); }, TaskScheduler.Default);
    }

    /// <returns>The delay before the key is tried again.</returns>
    public TimeSpan AddRateLimited(TKey key, CancellationToken cancellationToken)
    {
        int attempt;
        lock (gate)
        {
            attempt = failures.GetValueOrDefault(key) + 1;
            failures[key] = attempt;
        }
        var delay = Backoff.Exponential(attempt - 1, backoffBase, backoffMax);
        AddAfter(key, delay, cancellationToken);
        return delay;
    }

    public int Failures(TKey key)
    {
        lock (gate) return failures.GetValueOrDefault(key);
    }

    public void Forget(TKey key)
    {
        lock (gate) failures.Remove(key);
    }

    public async ValueTask<TKey> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var key = await ready.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            lock (gate)
            {
                if (!queued.Remove(key)) continue;
                processing.Add(key);
                return key;
            }
        }
    }

    public void Done(TKey key)
    {
        bool again;
        lock (gate)
        {
            processing.Remove(key);
            again = dirty.Remove(key);
        }
        if (again) Add(key);
    }
}
