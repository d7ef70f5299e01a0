namespace Celeriac.FanOut;

/// <summary>What a chunked fan-out sends, how fast, and under which key it records its progress.</summary>
public sealed class FanOutPlan<TItem>
{
    public required FanOutSource<TItem> Source { get; init; }

    /// <summary>Items read, mapped and sent at a time; the progress checkpoint is saved after each chunk.</summary>
    public int ChunkSize { get; init; } = 1000;

    /// <summary>A chunk is only sent once the backlog (ready, in flight and delayed) of <see cref="BacklogQueues"/> is below this.</summary>
    public long MaxBacklog { get; init; } = 10_000;

    /// <summary>The key of the progress checkpoint: run again with the same key to resume after a crash (or to find the fan-out done).</summary>
    public required string ProgressKey { get; init; }

    /// <summary>The task to send; by default the one registered for the args type.</summary>
    public string? TaskName { get; init; }

    /// <summary>The queue to send to; by default the task's.</summary>
    public string? Queue { get; init; }

    /// <summary>The queues whose depth is the backlog; by default the queue sent to.</summary>
    public IReadOnlyList<string>? BacklogQueues { get; init; }

    /// <summary>How often the backlog is checked while it is too high.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}
