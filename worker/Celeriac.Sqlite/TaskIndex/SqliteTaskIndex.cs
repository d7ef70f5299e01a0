using Celeriac.Sqlite.Store;
using Celeriac.TaskIndex;

namespace Celeriac.Sqlite.TaskIndex;

/// <summary>
/// The recent-tasks index in the SQLite store: a row per task (its record as JSON, with its name, state and last update as
/// columns indexed for search) and per-minute counts. Each batch is one transaction; searches read one index range.
/// </summary>
public sealed class SqliteTaskIndex(SqliteStoreDatabase database) : ITaskIndex
{
    private static readonly string[] Tables =
    [
        "CREATE TABLE IF NOT EXISTS store_task_index (task_id TEXT PRIMARY KEY, name TEXT, state TEXT NOT NULL, updated INTEGER NOT NULL, json BLOB NOT NULL) WITHOUT ROWID",
        "CREATE INDEX IF NOT EXISTS store_task_index_updated ON store_task_index (updated)",
        "CREATE INDEX IF NOT EXISTS store_task_index_name ON store_task_index (name, updated)",
        "CREATE INDEX IF NOT EXISTS store_task_index_state ON store_task_index (state, updated)",
        "CREATE TABLE IF NOT EXISTS store_task_activity (minute INTEGER NOT NULL, name TEXT NOT NULL, state TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (minute, name, state)) WITHOUT ROWID",
    ];

    public ValueTask RecordAsync(IReadOnlyList<TaskEvent> events, IReadOnlyList<TaskActivity> activity, TaskIndexLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(activity);
        database.Write(Tables, s =>
        {
            var get = s.Command("SELECT json FROM store_task_index WHERE task_id = $id", "$id");
            var set = s.Command("INSERT INTO store_task_index (task_id, name, state, updated, json) VALUES ($id, $n, $s, $u, $j) " +
                "ON CONFLICT (task_id) DO UPDATE SET name = excluded.name, state = excluded.state, updated = excluded.updated, json = excluded.json",
                "$id", "$n", "$s", "$u", "$j");
            foreach (var e in events)
            {
                get.Parameters[0].Value = e.TaskId;
                var before = get.ExecuteScalar() is byte[] json ? TaskRecord.FromJson(json) : new TaskRecord(e.TaskId);
                var after = before.Apply(e);
                set.Parameters[0].Value = e.TaskId;
                set.Parameters[1].Value = (object?)after.TaskName ?? DBNull.Value;
                set.Parameters[2].Value = after.State.ToString();
                set.Parameters[3].Value = after.UpdatedAt.ToUnixTimeMilliseconds();
                set.Parameters[4].Value = after.ToJson();
                set.ExecuteNonQuery();
            }
            var count = s.Command("INSERT INTO store_task_activity (minute, name, state, count) VALUES ($m, $n, $s, $c) " +
                "ON CONFLICT (minute, name, state) DO UPDATE SET count = count + excluded.count", "$m", "$n", "$s", "$c");
            foreach (var a in activity)
            {
                count.Parameters[0].Value = a.Minute.ToUnixTimeMilliseconds();
                count.Parameters[1].Value = a.TaskName;
                count.Parameters[2].Value = a.State.ToString();
                count.Parameters[3].Value = a.Count;
                count.ExecuteNonQuery();
            }
            var now = database.NowMillis;
            var old = s.Command("DELETE FROM store_task_index WHERE updated < $cutoff", "$cutoff");
            old.Parameters[0].Value = now - (long)limits.MaxAge.TotalMilliseconds;
            old.ExecuteNonQuery();
            // The newest MaxTasks stay, exactly (ties on the millisecond included): one walk of the update index past them.
            var over = s.Command("DELETE FROM store_task_index WHERE task_id IN (SELECT task_id FROM store_task_index ORDER BY updated DESC LIMIT -1 OFFSET $max)", "$max");
            over.Parameters[0].Value = limits.MaxTasks;
            over.ExecuteNonQuery();
            var oldCounts = s.Command("DELETE FROM store_task_activity WHERE minute < $cutoff", "$cutoff");
            oldCounts.Parameters[0].Value = now - (long)TaskActivity.Retention.TotalMilliseconds;
            oldCounts.ExecuteNonQuery();
            return 0;
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Write(Tables, s =>
        {
            var get = s.Command("SELECT json FROM store_task_index WHERE task_id = $id", "$id");
            get.Parameters[0].Value = taskId;
            return get.ExecuteScalar() is byte[] json ? TaskRecord.FromJson(json) : null;
        }));

    public ValueTask<IReadOnlyList<TaskRecord>> SearchAsync(TaskQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        // One statement per combination of filters, so that each reads the one index that fits it.
        var filters = new List<string> { "updated >= $since", "updated < $until" };
        if (query.TaskName is not null) filters.Add("name = $name");
        if (query.State is not null) filters.Add("state = $state");
        var sql = $"SELECT json FROM store_task_index WHERE {string.Join(" AND ", filters)} ORDER BY updated DESC LIMIT $limit";
        return ValueTask.FromResult<IReadOnlyList<TaskRecord>>(database.Write(Tables, s =>
        {
            var search = s.Command(sql, "$since", "$until", "$name", "$state", "$limit");
            search.Parameters[0].Value = query.Since?.ToUnixTimeMilliseconds() ?? long.MinValue;
            search.Parameters[1].Value = query.Until?.ToUnixTimeMilliseconds() ?? long.MaxValue;
            search.Parameters[2].Value = (object?)query.TaskName ?? DBNull.Value;
            search.Parameters[3].Value = (object?)query.State?.ToString() ?? DBNull.Value;
            search.Parameters[4].Value = query.EffectiveLimit;
            var records = new List<TaskRecord>();
            using var reader = search.ExecuteReader();
            while (reader.Read()) records.Add(TaskRecord.FromJson((byte[])reader.GetValue(0)));
            return records;
        }));
    }

    public ValueTask<IReadOnlyList<TaskActivity>> GetActivityAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<TaskActivity>>(database.Write(Tables, s =>
        {
            var list = s.Command("SELECT minute, name, state, count FROM store_task_activity WHERE minute >= $since ORDER BY minute", "$since");
            list.Parameters[0].Value = TaskActivity.MinuteOf(since).ToUnixTimeMilliseconds();
            var activity = new List<TaskActivity>();
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                if (!Enum.TryParse<TaskState>(reader.GetString(2), out var state)) continue;
                activity.Add(new TaskActivity(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetString(1), state, reader.GetInt64(3)));
            }
            return activity;
        }));
}
