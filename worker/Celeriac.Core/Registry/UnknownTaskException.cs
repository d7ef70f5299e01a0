namespace Celeriac.Registry;

/// <summary>A task sent by a name that no live worker of its queue registers (<see cref="RegisteredTasks.Check"/>).</summary>
public sealed class UnknownTaskException(string taskName, string queue, IEnumerable<string> registered)
    : InvalidOperationException($"No live worker of queue '{queue}' registers a task named '{taskName}' (registered: " +
        $"{(registered.Any() ? string.Join(", ", registered.Order(StringComparer.Ordinal).Take(20)) : "none")}). " +
        "Check the name; set Celeriac:Registry:RefuseUnknownTasks=false to send it anyway.")
{
    public string TaskName { get; } = taskName;
    public string Queue { get; } = queue;
}
