namespace Celeriac.Hosting;

/// <summary>Options bound from configuration section <c>Celeriac</c>.</summary>
public sealed class CeleriacOptions
{
    /// <summary>Declared queues and their priorities (higher runs first). Workers serve them highest first.</summary>
    public List<QueueDefinition> Queues { get; set; } = [];

    /// <summary>Routes by task name or pattern, first match wins (<see cref="Routing.TaskRouter"/>).</summary>
    public List<Routing.TaskRoute> Routes { get; set; } = [];

    /// <summary>Messages per broker call in EnqueueManyAsync (also bounds its memory).</summary>
    public int EnqueueBatchSize { get; set; } = 100;

    public int PriorityOf(string queue) => Queues.FirstOrDefault(q => q.Name == queue)?.Priority ?? 0;

    /// <summary>The declared queues whose protocol is <paramref name="protocol"/>.</summary>
    public IReadOnlyList<string> QueuesOfProtocol(string protocol) =>
        [.. Queues.Where(q => string.Equals(q.Protocol, protocol, StringComparison.OrdinalIgnoreCase)).Select(q => q.Name)];

    /// <summary>The declared queue with the highest priority not above <paramref name="priority"/>; else the lowest one.</summary>
    public string? QueueForPriority(int priority)
    {
        if (Queues.Count == 0) return null;
        return Queues.Where(q => q.Priority <= priority).OrderByDescending(q => q.Priority).FirstOrDefault()?.Name
            ?? Queues.OrderBy(q => q.Priority).First().Name;
    }
}

public sealed class QueueDefinition
{
    public string Name { get; set; } = "default";
    public int Priority { get; set; }

    /// <summary>
    /// How the queue's messages are written: <see cref="QueueProtocols.Celeriac"/> (Celeriac's envelope on the chosen
    /// broker) or <see cref="QueueProtocols.Celery"/> (Celery's message protocol on kombu's transport, served and fed by
    /// the Celery interop of Celeriac.Celery).
    /// </summary>
    public string Protocol { get; set; } = QueueProtocols.Celeriac;
}

/// <summary>The values of <see cref="QueueDefinition.Protocol"/>.</summary>
public static class QueueProtocols
{
    public const string Celeriac = "celeriac";
    public const string Celery = "celery";

    public static bool IsKnown(string? protocol) =>
        string.Equals(protocol, Celeriac, StringComparison.OrdinalIgnoreCase) || string.Equals(protocol, Celery, StringComparison.OrdinalIgnoreCase);
}
