using System.Threading.Channels;

namespace Celeriac.Operator.Controller;

/// <summary>
/// Keys to reconcile, as client-go's workqueue: a key is queued once however often it is added, is never
/// processed by two workers at once (an add during processing queues it again when done), and failures
/// back off exponentially per key.
/// </summary>
public sealed class WorkQueue(TimeProvider time, TimeSpan backoffBase, TimeSpan backoffMax)
{
    private readonly Lock gate = new();
    private readonly Channel<string> ready = Channel.CreateUnbounded<string>();
    private readonly HashSet<string> queued = new(StringComparer.Ordinal);
    private readonly HashSet<string> processing = new(StringComparer.Ordinal);
    private readonly HashSet<string> dirty = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> failures = new(StringComparer.Ordinal);

    public void Add(string key)
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

    public void AddAfter(string key, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }
        _ = Task.Delay(delay, time, cancellationToken).ContinueWith(t => { if (!t.IsCanceled) Add(key); }, TaskScheduler.Default);
    }

    /// <returns>The delay before the key is tried again.</returns>
    public TimeSpan AddRateLimited(string key, CancellationToken cancellationToken)
    {
        int attempt;
        lock (gate)
        {
            attempt = failures.GetValueOrDefault(key) + 1;
            failures[key] = attempt;
        }
        var delay = TimeSpan.FromTicks(Math.Min(backoffMax.Ticks, backoffBase.Ticks * (1L << Math.Min(attempt - 1, 30))));
        AddAfter(key, delay, cancellationToken);
        return delay;
    }

    public int Failures(string key)
    {
        lock (gate) return failures.GetValueOrDefault(key);
    }

    public void Forget(string key)
    {
        lock (gate) failures.Remove(key);
    }

    public async ValueTask<string> TakeAsync(CancellationToken cancellationToken)
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

    public void Done(string key)
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
