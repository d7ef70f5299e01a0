namespace Celeriac.TaskIndex;

/// <summary>The recent-tasks index (<c>celeriac tasks</c>, the dashboard's tasks, progress), bound from <c>Celeriac:TaskIndex</c>.</summary>
public sealed class TaskIndexOptions
{
    /// <summary>Whether producers and workers record what happens to tasks (and task progress) in the store.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The index keeps at most this many tasks, the most recently updated.</summary>
    public int MaxTasks { get; set; } = 10_000;

    /// <summary>A task not updated for this long leaves the index.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often a process writes what it recorded to the store (in one batch).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Events a process holds while the store is slow or away; beyond it new events are dropped (and counted in the log).</summary>
    public int MaxPending { get; set; } = 20_000;

    /// <summary>Args longer than this (JSON characters) are cut in the index.</summary>
    public int MaxArgsLength { get; set; } = 2_000;
}
