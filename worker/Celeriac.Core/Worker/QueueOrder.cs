namespace Celeriac.Worker;

/// <summary>
/// The order in which a worker asks for its queues: highest priority first, except that every
/// <c>guardEvery</c>-th round starts with one of the lower queues in turn (starvation guard).
/// </summary>
public sealed class QueueOrder
{
    private readonly string[] _byPriority;
    private readonly string[][] _guardOrders;
    private readonly int _guardEvery;
    private long _round;

    public QueueOrder(IEnumerable<(string Name, int Priority)> queues, int guardEvery)
    {
        _byPriority = [.. queues.Select((q, index) => (q, index)).OrderByDescending(x => x.q.Priority).ThenBy(x => x.index).Select(x => x.q.Name)];
        if (_byPriority.Length == 0) throw new ArgumentException("A worker needs at least one queue.", nameof(queues));
        _guardEvery = _byPriority.Length > 1 ? Math.Max(0, guardEvery) : 0;
        _guardOrders = [.. Enumerable.Range(1, Math.Max(0, _byPriority.Length - 1))
            .Select(k => (string[])[_byPriority[k], .. _byPriority.Where((_, i) => i != k)])];
    }

    public IReadOnlyList<string> Queues => _byPriority;

    public IReadOnlyList<string> Next()
    {
        var round = Interlocked.Increment(ref _round);
        if (_guardEvery == 0 || round % _guardEvery != 0) return _byPriority;
        return _guardOrders[(round / _guardEvery - 1) % _guardOrders.Length];
    }
}
