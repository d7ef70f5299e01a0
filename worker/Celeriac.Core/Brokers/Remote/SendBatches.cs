namespace Celeriac.Brokers.Remote;

/// <summary>Splits messages into the batches a service accepts: at most a count, and sizes adding up to at most a byte limit.</summary>
public static class SendBatches
{
    /// <param name="size">A message's size as the service counts it (body and attributes).</param>
    /// <param name="overhead">Bytes a message adds to a batch beyond its own size (framing, system properties).</param>
    public static IEnumerable<List<T>> Split<T>(IReadOnlyList<T> messages, Func<T, int> size, int maxCount, int maxBytes, int overhead = 0)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(size);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        var batch = new List<T>(Math.Min(maxCount, messages.Count));
        var bytes = 0;
        foreach (var message in messages)
        {
            var next = size(message) + overhead;
            if (batch.Count > 0 && (batch.Count == maxCount || bytes + next > maxBytes))
            {
                yield return batch;
                batch = new List<T>(Math.Min(maxCount, messages.Count));
                bytes = 0;
            }
            batch.Add(message);
            bytes += next;
        }
        if (batch.Count > 0) yield return batch;
    }
}
