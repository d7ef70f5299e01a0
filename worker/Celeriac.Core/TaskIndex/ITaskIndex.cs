namespace Celeriac.TaskIndex;

/// <summary>
/// The recent-tasks index in the store: one record per task, bounded by count and age, searchable by id, name, state and
/// time, and per-minute counts by task name and state. Every query reads a bounded number of entries.
/// </summary>
public interface ITaskIndex
{
    /// <summary>
    /// Applies events in order (<see cref="TaskRecord.Apply"/>), adds <paramref name="activity"/> to the per-minute counts,
    /// then drops records beyond <paramref name="limits"/> and counts older than <see cref="TaskActivity.Retention"/>.
    /// </summary>
    ValueTask RecordAsync(IReadOnlyList<TaskEvent> events, IReadOnlyList<TaskActivity> activity, TaskIndexLimits limits, CancellationToken cancellationToken);

    ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Newest first, at most <see cref="TaskQuery.EffectiveLimit"/>.</summary>
    ValueTask<IReadOnlyList<TaskRecord>> SearchAsync(TaskQuery query, CancellationToken cancellationToken);

    /// <summary>The per-minute counts from <paramref name="since"/> on (kept an hour).</summary>
    ValueTask<IReadOnlyList<TaskActivity>> GetActivityAsync(DateTimeOffset since, CancellationToken cancellationToken);
}
