namespace Celeriac.TaskIndex;

/// <summary>A search of the recent-tasks index: newest first, by task name and/or state, within a time window of last updates.</summary>
public sealed record TaskQuery
{
    public const int MaxLimit = 500;

    public string? TaskName { get; init; }
    public TaskState? State { get; init; }
    /// <summary>Updated at or after.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Updated before (also the cursor of the next page: the last record's <see cref="TaskRecord.UpdatedAt"/>).</summary>
    public DateTimeOffset? Until { get; init; }
    public int Limit { get; init; } = 50;

    /// <summary>The limit a store applies: between 1 and <see cref="MaxLimit"/>.</summary>
    public int EffectiveLimit => Math.Clamp(Limit, 1, MaxLimit);

    /// <summary>How many entries of one index a store looks at for a search with two filters before it stops (bounded work per page).</summary>
    public int ScanLimit => EffectiveLimit * 20;

    public bool Matches(TaskRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return (TaskName is null || record.TaskName == TaskName)
            && (State is null || record.State == State)
            && (Since is null || record.UpdatedAt >= Since)
            && (Until is null || record.UpdatedAt < Until);
    }
}

/// <summary>How many tasks of a name reached a state within one minute (enqueues and endings), for throughput and failure rates.</summary>
public sealed record TaskActivity(DateTimeOffset Minute, string TaskName, TaskState State, long Count)
{
    /// <summary>How long stores keep the per-minute counts.</summary>
    public static TimeSpan Retention { get; } = TimeSpan.FromHours(1);

    /// <summary>The minute <paramref name="at"/> falls in.</summary>
    public static DateTimeOffset MinuteOf(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
}

/// <summary>The bounds an index keeps: at most <paramref name="MaxTasks"/> records, none older than <paramref name="MaxAge"/>.</summary>
public readonly record struct TaskIndexLimits(int MaxTasks, TimeSpan MaxAge);
