using Celeriac.Hosting;
using Celeriac.Tasks;
using Microsoft.Extensions.Options;

namespace Celeriac.Celery.Transport;

/// <summary>
/// Which queues are Celery's and where a task goes when its signature names no queue: the routes, then the queue of a
/// Celeriac task of that name when it is a Celery queue, then the default queue.
/// </summary>
public sealed class CeleryRouting
{
    private readonly CeleryOptions _options;
    private readonly TaskRegistry _registry;
    private readonly HashSet<string> _queues;

    public CeleryRouting(IOptions<CeleryOptions> options, IOptions<CeleriacOptions> celeriac, TaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(celeriac);
        _options = options.Value;
        _registry = registry;
        _queues = new HashSet<string>(celeriac.Value.QueuesOfProtocol(QueueProtocols.Celery), StringComparer.Ordinal);
    }

    /// <summary>The declared queues whose protocol is Celery's.</summary>
    public IReadOnlySet<string> Queues => _queues;

    public bool IsCeleryQueue(string queue) => _queues.Contains(queue);

    public string Route(string task)
    {
        ArgumentNullException.ThrowIfNull(task);
        foreach (var (pattern, queue) in _options.Routes)
            if (Matches(pattern, task)) return queue;
        if (_registry.TryGet(task, out var descriptor) && _queues.Contains(descriptor.Options.Queue)) return descriptor.Options.Queue;
        return _options.DefaultQueue;
    }

    /// <summary>Celery's glob routes: <c>*</c> matches any run of characters.</summary>
    internal static bool Matches(string pattern, string name)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal)) return pattern == name;
        var parts = pattern.Split('*');
        if (!name.StartsWith(parts[0], StringComparison.Ordinal)) return false;
        var at = parts[0].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = name.IndexOf(parts[i], at, StringComparison.Ordinal);
            if (found < 0) return false;
            at = found + parts[i].Length;
        }
        return name.Length - at >= parts[^1].Length && name.EndsWith(parts[^1], StringComparison.Ordinal);
    }
}
