namespace Celeriac.TaskIndex;

/// <summary>
/// What the index learns of a task at once: a state (with the attempt it belongs to) and the fields known then; null
/// fields leave the record's as they are. Events of one task that meet in the writer are folded into one
/// (<see cref="Fold"/>), so a task that was enqueued, started and ended within one flush costs the store one write.
/// Events may reach the store out of order (a producer flushes after the worker that started the task): a state replaces
/// the record's only when its rank is not lower.
/// </summary>
public sealed record TaskEvent(string TaskId, TaskState? State, DateTimeOffset At)
{
    public string? TaskName { get; init; }
    public string? Queue { get; init; }
    public int Attempt { get; init; }
    public string? Worker { get; init; }
    public DateTimeOffset? EnqueuedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public double? DurationMs { get; init; }
    public string? ExceptionType { get; init; }
    public string? ExceptionMessage { get; init; }
    /// <summary>The args as JSON, cut to the index's limit; never set for a task whose args are masked.</summary>
    public string? Args { get; init; }
    /// <summary>The task's args are masked (<c>MaskArgs</c>): the record drops any args it has.</summary>
    public bool ArgsMasked { get; init; }
    public string? TraceId { get; init; }
    public double? Progress { get; init; }
    public string? ProgressMessage { get; init; }
    /// <summary>The task starts over (a dead letter replayed): the record forgets its run before this event applies.</summary>
    public bool Reset { get; init; }
    /// <summary>Handed back to its queue unrun (rate limit, lock held): queued, but not a new enqueue.</summary>
    public bool HandedBack { get; init; }

    /// <summary>The order of states within a task's life: the attempt, then queued &lt; started (or handed back) &lt; ended.</summary>
    public long Rank => State is null ? long.MinValue
        : Attempt * 3L + (State == TaskState.Queued && !HandedBack ? 0 : State is TaskState.Started or TaskState.Queued ? 1 : 2);

    /// <summary>Whether the event counts in the per-minute activity (enqueues and endings).</summary>
    public bool CountsAsActivity => State is { } state && state != TaskState.Started && !HandedBack && !Reset;

    /// <summary>Puts <paramref name="e"/> into a batch keyed by task id, folded into what the batch has of its task.</summary>
    public static void FoldInto(Dictionary<string, TaskEvent> batch, TaskEvent e)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(e);
        batch[e.TaskId] = batch.TryGetValue(e.TaskId, out var prior) ? Fold(prior, e) : e;
    }

    /// <summary>One event that has the effect of <paramref name="earlier"/> then <paramref name="later"/> (same task).</summary>
    public static TaskEvent Fold(TaskEvent earlier, TaskEvent later)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ArgumentNullException.ThrowIfNull(later);
        if (later.Reset)
            return later with { TaskName = later.TaskName ?? earlier.TaskName, Queue = later.Queue ?? earlier.Queue, TraceId = later.TraceId ?? earlier.TraceId };
        var winner = later.State is not null && (earlier.State is null || later.Rank >= earlier.Rank) ? later : earlier;
        var masked = earlier.ArgsMasked || later.ArgsMasked;
        var progressed = later.Progress is not null ? later : earlier;
        return new TaskEvent(later.TaskId, winner.State, later.At > earlier.At ? later.At : earlier.At)
        {
            TaskName = later.TaskName ?? earlier.TaskName,
            Queue = later.Queue ?? earlier.Queue,
            Attempt = winner.Attempt,
            HandedBack = winner.HandedBack,
            Worker = winner.Worker ?? later.Worker ?? earlier.Worker,
            EnqueuedAt = earlier.EnqueuedAt ?? later.EnqueuedAt,
            StartedAt = later.StartedAt ?? earlier.StartedAt,
            FinishedAt = winner.FinishedAt,
            DurationMs = winner.DurationMs,
            ExceptionType = winner.ExceptionType,
            ExceptionMessage = winner.ExceptionMessage,
            ArgsMasked = masked,
            Args = masked ? null : later.Args ?? earlier.Args,
            TraceId = later.TraceId ?? earlier.TraceId,
            Progress = progressed.Progress,
            ProgressMessage = progressed.ProgressMessage,
            Reset = earlier.Reset,
        };
    }
}
