namespace Celeriac.TaskIndex;

/// <summary>
/// The recent-tasks index inside one process (tests, the in-memory broker): the records by id, and their ids in the order
/// they were last written (an entry whose record was written again later is skipped and dropped as the order is trimmed).
/// </summary>
public sealed class InMemoryTaskIndex(TimeProvider? timeProvider = null) : ITaskIndex
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (TaskRecord Record, long Seq)> _records = new(StringComparer.Ordinal);
    private readonly List<(long Seq, string Id)> _order = [];
    private readonly Dictionary<(DateTimeOffset Minute, string Name, TaskState State), long> _activity = [];
    private int _head;
    private long _seq;

    public ValueTask RecordAsync(IReadOnlyList<TaskEvent> events, IReadOnlyList<TaskActivity> activity, TaskIndexLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(activity);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var e in events)
            {
                var before = _records.TryGetValue(e.TaskId, out var found) ? found.Record : new TaskRecord(e.TaskId);
                var seq = ++_seq;
                _records[e.TaskId] = (before.Apply(e), seq);
                _order.Add((seq, e.TaskId));
            }
            foreach (var a in activity)
            {
                var key = (a.Minute, a.TaskName, a.State);
                _activity[key] = _activity.GetValueOrDefault(key) + a.Count;
            }
            var cutoff = now - limits.MaxAge;
            while (_head < _order.Count)
            {
                var (seq, id) = _order[_head];
                if (_records.TryGetValue(id, out var current) && current.Seq == seq)
                {
                    if (_records.Count <= limits.MaxTasks && current.Record.UpdatedAt >= cutoff) break;
                    _records.Remove(id);
                }
                _head++;
            }
            if (_head > 1024 && _head > _order.Count / 2)
            {
                _order.RemoveRange(0, _head);
                _head = 0;
            }
            var activityCutoff = now - TaskActivity.Retention;
            if (_activity.Keys.Any(k => k.Minute < activityCutoff))
                foreach (var old in _activity.Keys.Where(k => k.Minute < activityCutoff).ToList()) _activity.Remove(old);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        lock (_lock) return ValueTask.FromResult(_records.TryGetValue(taskId, out var found) ? found.Record : null);
    }

    public ValueTask<IReadOnlyList<TaskRecord>> SearchAsync(TaskQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var found = new List<TaskRecord>();
        lock (_lock)
        {
            for (var i = _order.Count - 1; i >= _head && found.Count < query.EffectiveLimit; i--)
            {
                var (seq, id) = _order[i];
                if (_records.TryGetValue(id, out var current) && current.Seq == seq && query.Matches(current.Record)) found.Add(current.Record);
            }
        }
        return ValueTask.FromResult<IReadOnlyList<TaskRecord>>(found);
    }

    public ValueTask<IReadOnlyList<TaskActivity>> GetActivityAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var from = TaskActivity.MinuteOf(since);
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<TaskActivity>>([.. _activity
                .Where(e => e.Key.Minute >= from)
                .Select(e => new TaskActivity(e.Key.Minute, e.Key.Name, e.Key.State, e.Value))
                .OrderBy(a => a.Minute)]);
        }
    }
}
