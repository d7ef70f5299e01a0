namespace Celeriac.Operator.Model;

/// <summary>The order in which workers take queues: highest priority first, equal priorities as declared.</summary>
public static class QueueOrder
{
    /// <summary>The declared queues, highest priority first.</summary>
    public static IReadOnlyList<QueueSpec> QueuesByPriority(this TaskQueueSpec spec) =>
        [.. spec.Queues.Select((q, i) => (q, i)).OrderByDescending(x => x.q.Priority).ThenBy(x => x.i).Select(x => x.q)];

    /// <summary>The queues a pool serves, highest priority first.</summary>
    public static IReadOnlyList<string> QueuesOf(this TaskQueueSpec spec, PoolSpec pool)
    {
        var priority = spec.Queues.GroupBy(q => q.Name).ToDictionary(g => g.Key, g => g.First().Priority);
        return [.. pool.Queues.Distinct().Select((q, i) => (q, i))
            .OrderByDescending(x => priority.GetValueOrDefault(x.q)).ThenBy(x => x.i).Select(x => x.q)];
    }
}
