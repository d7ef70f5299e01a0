using Celeriac.Hosting;
using Celeriac.Tasks;
using Microsoft.Extensions.Options;

namespace Celeriac.Routing;

/// <summary>
/// Which queue a task is sent to, as Celery's <c>task_routes</c> decides it: the queue the caller names, else the
/// declared queue for the priority it names, else the first route of <c>Celeriac:Routes</c> whose pattern matches the
/// task name (so a producer without the task's code routes it right), else the task's own queue (attribute, code,
/// <c>Celeriac:Tasks:&lt;name&gt;:Queue</c>, or as a live worker published it in the registry), else <c>default</c>.
/// </summary>
public sealed class TaskRouter(IOptions<CeleriacOptions> options)
{
    private readonly CeleriacOptions _options = options.Value;

    public string QueueFor(string taskName, TaskOptions? task, string? queue, int? priority) =>
        queue
        ?? (priority is { } p ? _options.QueueForPriority(p) : null)
        ?? _options.Routes.FirstOrDefault(r => r.Matches(taskName))?.Queue
        ?? task?.Queue
        ?? "default";
}

/// <summary>One entry of <c>Celeriac:Routes</c>: tasks whose name matches <see cref="Pattern"/> go to <see cref="Queue"/>.</summary>
public sealed class TaskRoute
{
    /// <summary>A task name, or a pattern with <c>*</c> for any run of characters (<c>emails.*</c>, <c>*.report</c>).</summary>
    public string Pattern { get; set; } = "";

    public string Queue { get; set; } = "";

    public bool Matches(string taskName)
    {
        ArgumentNullException.ThrowIfNull(taskName);
        if (!Pattern.Contains('*', StringComparison.Ordinal)) return string.Equals(Pattern, taskName, StringComparison.Ordinal);
        var parts = Pattern.Split('*');
        if (!taskName.StartsWith(parts[0], StringComparison.Ordinal) || !taskName.EndsWith(parts[^1], StringComparison.Ordinal)) return false;
        var at = parts[0].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = taskName.IndexOf(parts[i], at, StringComparison.Ordinal);
            if (found < 0) return false;
            at = found + parts[i].Length;
        }
        return at <= taskName.Length - parts[^1].Length;
    }
}
