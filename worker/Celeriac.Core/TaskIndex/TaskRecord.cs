namespace Celeriac.TaskIndex;

/// <summary>What the recent-tasks index knows of one task.</summary>
public sealed record TaskRecord(string TaskId)
{
    public string? TaskName { get; init; }
    public string? Queue { get; init; }
    public TaskState State { get; init; }
    /// <summary>The rank of <see cref="State"/> (<see cref="TaskEvent.Rank"/>).</summary>
    public long Rank { get; init; } = long.MinValue;
    public int Attempt { get; init; }
    public DateTimeOffset? EnqueuedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string? Worker { get; init; }
    public double? DurationMs { get; init; }
    public string? ExceptionType { get; init; }
    public string? ExceptionMessage { get; init; }
    public string? Args { get; init; }
    public bool ArgsMasked { get; init; }
    public string? TraceId { get; init; }
    public double? Progress { get; init; }
    public string? ProgressMessage { get; init; }

    /// <summary>The record after <paramref name="e"/>: the one merge rule of the in-process and SQLite indexes (the Redis one is <c>record.lua</c>).</summary>
    public TaskRecord Apply(TaskEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var r = this;
        if (e.Reset)
        {
            r = r with
            {
                State = TaskState.Queued, Rank = long.MinValue, Attempt = 0, EnqueuedAt = null, StartedAt = null, FinishedAt = null, Worker = null,
                DurationMs = null, ExceptionType = null, ExceptionMessage = null, Progress = null, ProgressMessage = null,
            };
        }
        r = r with
        {
            TaskName = e.TaskName ?? r.TaskName,
            Queue = e.Queue ?? r.Queue,
            TraceId = e.TraceId ?? r.TraceId,
            UpdatedAt = e.At > r.UpdatedAt ? e.At : r.UpdatedAt,
            EnqueuedAt = r.EnqueuedAt ?? e.EnqueuedAt,
        };
        if (e.ArgsMasked) r = r with { Args = null, ArgsMasked = true };
        else if (e.Args is not null && !r.ArgsMasked) r = r with { Args = e.Args };
        if (e.State is { } state && e.Rank >= r.Rank)
        {
            var ended = state is not (TaskState.Queued or TaskState.Started);
            r = r with
            {
                State = state,
                Rank = e.Rank,
                Attempt = e.Attempt,
                Worker = e.Worker ?? r.Worker,
                StartedAt = e.StartedAt ?? r.StartedAt,
                FinishedAt = ended ? e.FinishedAt ?? e.At : null,
                DurationMs = ended ? e.DurationMs : null,
                ExceptionType = ended ? e.ExceptionType : r.ExceptionType,
                ExceptionMessage = ended ? e.ExceptionMessage : r.ExceptionMessage,
            };
        }
        if (e.Progress is { } progress) r = r with { Progress = progress, ProgressMessage = e.ProgressMessage };
        return r;
    }
}
