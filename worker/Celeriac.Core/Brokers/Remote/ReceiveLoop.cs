using System.Collections.Concurrent;

namespace Celeriac.Brokers.Remote;

/// <summary>
/// How a broker on a remote queue service fills a worker's free slots from several queues in priority order, at few
/// requests: a quick pass over the queues first (full batches asked in parallel when many slots are free, a queue
/// found empty skipped for a while), then, when nothing was ready, one long poll at a time on the queues in turn
/// until the wait is over. The transport supplies one receive on one queue.
/// </summary>
public sealed class ReceiveLoop(RemoteQueueOptions options, TimeProvider time)
{
    /// <summary>
    /// One receive of up to <paramref name="max"/> messages from queue <paramref name="index"/> of the call, waiting up to
    /// <paramref name="wait"/> (zero: answer at once) for the first. Adds what may run to <paramref name="into"/> and
    /// returns how many messages the service handed out, counting any the transport held back (not due yet).
    /// </summary>
    public delegate Task<int> ReceiveOnce(int index, int max, TimeSpan wait, List<BrokerMessage> into, CancellationToken cancellationToken);

    private readonly ConcurrentDictionary<string, long> _emptyUntil = new(StringComparer.Ordinal);
    private int _longPollTurn;

    /// <summary>A queue that was sent to (or had a message returned) is asked again at once.</summary>
    public void MarkReady(string queue) => _emptyUntil.TryRemove(queue, out _);

    /// <param name="queues">The service's names of the queues (URLs, entity paths), highest priority first.</param>
    /// <param name="batch">The most one receive returns (SQS: 10).</param>
    public async Task<List<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan wait, int batch, ReceiveOnce receive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentNullException.ThrowIfNull(receive);
        var received = new List<BrokerMessage>();
        if (queues.Count == 0) return received;
        await QuickPassAsync(queues, maxMessages, batch, receive, received, honourBackoff: true, cancellationToken).ConfigureAwait(false);
        if (received.Count > 0 || wait <= TimeSpan.Zero) return received;

        var started = time.GetTimestamp();
        while (true)
        {
            var remaining = wait - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero) return received;
            // Services wait in whole seconds: a wait with a fraction left is rounded up rather than slept out, so a
            // message that arrives meanwhile is returned at once.
            var seconds = (int)Math.Min(options.LongPollSeconds, Math.Ceiling(remaining.TotalSeconds));
            if (queues.Count > 1) seconds = Math.Min(seconds, Math.Max(1, options.MultiQueuePollSeconds));
            if (seconds < 1)
            {
                await Task.Delay(remaining, time, cancellationToken).ConfigureAwait(false);
                await QuickPassAsync(queues, maxMessages, batch, receive, received, honourBackoff: false, cancellationToken).ConfigureAwait(false);
                return received;
            }
            // One message is enough to end the wait (a long poll left open by a client that went away may still take
            // messages on the service's side, so no more wait than are needed); the rest of the free slots are
            // filled right after.
            var turn = queues.Count == 1 ? 0 : (int)((uint)Interlocked.Increment(ref _longPollTurn) % (uint)queues.Count);
            var got = await receive(turn, 1, TimeSpan.FromSeconds(seconds), received, cancellationToken).ConfigureAwait(false);
            if (got > 0) MarkReady(queues[turn]);
            if (received.Count > 0 || queues.Count > 1)
                await QuickPassAsync(queues, maxMessages, batch, receive, received, honourBackoff: received.Count == 0, cancellationToken).ConfigureAwait(false);
            if (received.Count > 0) return received;
        }
    }

    /// <summary>
    /// Takes ready messages queue by queue in the order given. Many free slots are filled by full batches asked in
    /// parallel; a queue is asked again only while it returns full batches, so a busy queue costs one request a batch.
    /// </summary>
    private async Task QuickPassAsync(IReadOnlyList<string> queues, int maxMessages, int batch, ReceiveOnce receive, List<BrokerMessage> received, bool honourBackoff, CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        for (var i = 0; i < queues.Count && received.Count < maxMessages; i++)
        {
            if (honourBackoff && _emptyUntil.TryGetValue(queues[i], out var until) && now < until) continue;
            var first = true;
            while (received.Count < maxMessages)
            {
                var remaining = maxMessages - received.Count;
                if (!first && remaining < batch) break;
                first = false;
                var requests = remaining < batch ? 1 : Math.Min(remaining / batch, options.MaxParallelReceives);
                var want = Math.Min(remaining, batch);
                var lists = new List<BrokerMessage>[requests];
                var counts = new Task<int>[requests];
                for (var r = 0; r < requests; r++)
                {
                    lists[r] = [];
                    counts[r] = receive(i, want, TimeSpan.Zero, lists[r], cancellationToken);
                }
                var got = await Task.WhenAll(counts).ConfigureAwait(false);
                foreach (var list in lists) received.AddRange(list);
                if (got.Sum() == 0)
                    _emptyUntil[queues[i]] = time.GetTimestamp() + (long)(options.EmptyQueueBackoff.TotalSeconds * time.TimestampFrequency);
                else
                    MarkReady(queues[i]);
                if (got.Any(n => n < want)) break;
            }
        }
    }
}
