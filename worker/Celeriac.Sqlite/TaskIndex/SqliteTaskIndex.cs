using System.Buffers;
using Celeriac.Sqlite.Store;
using Celeriac.TaskIndex;
using Microsoft.Data.Sqlite;

namespace Celeriac.Sqlite.TaskIndex;

/// <summary>
/// The recent-tasks index in the SQLite store. Workers only append: each batch of events is a few rows of a journal (and a
/// few per-minute counts), so recording costs a task a share of one insert however busy the index is. Whoever reads
/// (the dashboard, the CLI) first folds the journal into the searchable table, a row per task with a column per field
/// (name, state and last update indexed), about one batch of events per transaction so that workers wait at most that
/// long for the file. Unread, the journal keeps the newest <see cref="JournalEventsPerTask"/> × MaxTasks events and drops older ones.
/// </summary>
public sealed class SqliteTaskIndex(SqliteStoreDatabase database, bool ownsDatabase = false) : ITaskIndex, IDisposable
{
    /// <summary>The index's file is the store's path with this added (<c>celeriac.db-index</c>).</summary>
    public const string FileSuffix = "-index";

    private const string Columns = "task_id, name, queue, state, rank, attempt, enqueued, started, finished, updated, worker, duration, " +
        "exception_type, exception_message, args, args_masked, trace_id, progress, progress_message";

    private static readonly string[] Tables =
    [
        "CREATE TABLE IF NOT EXISTS store_task_index (task_id TEXT PRIMARY KEY, name TEXT, queue TEXT, state INTEGER NOT NULL, " +
            "rank INTEGER NOT NULL, attempt INTEGER NOT NULL, enqueued INTEGER, started INTEGER, finished INTEGER, updated INTEGER NOT NULL, " +
            "worker TEXT, duration REAL, exception_type TEXT, exception_message TEXT, args TEXT, args_masked INTEGER NOT NULL, " +
            "trace_id TEXT, progress REAL, progress_message TEXT) WITHOUT ROWID",
        "CREATE INDEX IF NOT EXISTS store_task_index_updated ON store_task_index (updated)",
        "CREATE INDEX IF NOT EXISTS store_task_index_name ON store_task_index (name, updated)",
        "CREATE INDEX IF NOT EXISTS store_task_index_state ON store_task_index (state, updated)",
        "CREATE TABLE IF NOT EXISTS store_task_journal (id INTEGER PRIMARY KEY, total INTEGER NOT NULL, written INTEGER NOT NULL, " +
            "max_tasks INTEGER NOT NULL, max_age INTEGER NOT NULL, events BLOB NOT NULL)",
        "CREATE TABLE IF NOT EXISTS store_task_activity (minute INTEGER NOT NULL, name TEXT NOT NULL, state TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (minute, name, state)) WITHOUT ROWID",
    ];

    private static readonly string[] Parameters =
        ["$id", "$name", "$queue", "$state", "$rank", "$attempt", "$enqueued", "$started", "$finished", "$updated", "$worker", "$duration",
            "$exception_type", "$exception_message", "$args", "$args_masked", "$trace_id", "$progress", "$progress_message"];

    private static readonly string Upsert =
        $"INSERT OR REPLACE INTO store_task_index ({Columns}) VALUES ({string.Join(", ", Parameters)})";

    /// <summary>How many events per task the journal keeps while nobody reads it (enqueued, started, ended).</summary>
    public const int JournalEventsPerTask = 3;

    /// <summary>About how many journal events a reader folds in one transaction: what a worker waits for at most.</summary>
    private const int FoldBatch = 2_000;

    private readonly ArrayBufferWriter<byte> _journal = new();

    public ValueTask RecordAsync(IReadOnlyList<TaskEvent> events, IReadOnlyList<TaskActivity> activity, TaskIndexLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(activity);
        List<(byte[] Row, int Count)> rows;
        lock (_journal) rows = JournalFormat.Write(events, _journal);
        database.Write(Tables, s =>
        {
            var now = database.NowMillis;
            if (rows.Count > 0)
            {
                var append = s.Command("INSERT INTO store_task_journal (total, written, max_tasks, max_age, events) " +
                    "VALUES (coalesce((SELECT total FROM store_task_journal ORDER BY id DESC LIMIT 1), 0) + $count, $now, $max_tasks, $max_age, $events) RETURNING total",
                    "$count", "$now", "$max_tasks", "$max_age", "$events");
                append.Parameters[1].Value = now;
                append.Parameters[2].Value = limits.MaxTasks;
                append.Parameters[3].Value = (long)limits.MaxAge.TotalMilliseconds;
                long total = 0;
                foreach (var (row, eventsInRow) in rows)
                {
                    append.Parameters[0].Value = eventsInRow;
                    append.Parameters[4].Value = row;
                    total = (long)append.ExecuteScalar()!;
                }
                var unread = s.Command("DELETE FROM store_task_journal WHERE total <= $total_kept OR written < $cutoff", "$total_kept", "$cutoff");
                unread.Parameters[0].Value = total - (long)limits.MaxTasks * JournalEventsPerTask;
                unread.Parameters[1].Value = now - (long)limits.MaxAge.TotalMilliseconds;
                unread.ExecuteNonQuery();
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
            var oldCounts = s.Command("DELETE FROM store_task_activity WHERE minute < $cutoff", "$cutoff");
            oldCounts.Parameters[0].Value = now - (long)TaskActivity.Retention.TotalMilliseconds;
            oldCounts.ExecuteNonQuery();
            return 0;
        });
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Folds the journal into the table, the oldest row first, each in its own transaction; then prunes the table once, to
    /// the limits of the newest row folded (a prune walks the update index past MaxTasks, too much to do for every row).
    /// </summary>
    private void Fold()
    {
        (long MaxTasks, long MaxAge)? limits = null;
        while (database.Write(Tables, FoldOldest) is { } folded) limits = folded;
        if (limits is { } last) database.Write(Tables, s => Prune(s, last.MaxTasks, last.MaxAge));
    }

    /// <summary>
    /// Folds the journal's oldest rows, up to <see cref="FoldBatch"/> events, into the table: events of one task are folded
    /// together first (a producer's enqueue and a worker's end meet here), so the table is written once per task. Returns
    /// the newest folded row's limits, or null when none was left.
    /// </summary>
    private static (long MaxTasks, long MaxAge)? FoldOldest(SqliteSession s)
    {
        var oldest = s.Command("SELECT id, max_tasks, max_age, events FROM store_task_journal ORDER BY id");
        long lastId = 0, maxTasks = 0, maxAge = 0, count = 0;
        var tasks = new Dictionary<string, TaskEvent>(StringComparer.Ordinal);
        using (var reader = oldest.ExecuteReader())
        {
            while (count < FoldBatch && reader.Read())
            {
                lastId = reader.GetInt64(0);
                maxTasks = reader.GetInt64(1);
                maxAge = reader.GetInt64(2);
                foreach (var e in JournalFormat.Read((byte[])reader.GetValue(3)))
                {
                    TaskEvent.FoldInto(tasks, e);
                    count++;
                }
            }
        }
        if (count == 0) return null;
        var get = s.Command($"SELECT {Columns} FROM store_task_index WHERE task_id = $id", "$id");
        var set = s.Command(Upsert, Parameters);
        foreach (var e in tasks.Values)
        {
            get.Parameters[0].Value = e.TaskId;
            TaskRecord before;
            using (var reader = get.ExecuteReader())
                before = reader.Read() ? ReadRecord(reader) : new TaskRecord(e.TaskId);
            Bind(set, before.Apply(e));
            set.ExecuteNonQuery();
        }
        var done = s.Command("DELETE FROM store_task_journal WHERE id <= $id", "$id");
        done.Parameters[0].Value = lastId;
        done.ExecuteNonQuery();
        return (maxTasks, maxAge);
    }

    private int Prune(SqliteSession s, long maxTasks, long maxAge)
    {
        var old = s.Command("DELETE FROM store_task_index WHERE updated < $cutoff", "$cutoff");
        old.Parameters[0].Value = database.NowMillis - maxAge;
        old.ExecuteNonQuery();
        // The newest MaxTasks stay, exactly (ties on the millisecond included): one walk of the update index past them.
        var over = s.Command("DELETE FROM store_task_index WHERE task_id IN (SELECT task_id FROM store_task_index ORDER BY updated DESC LIMIT -1 OFFSET $max)", "$max");
        over.Parameters[0].Value = maxTasks;
        return over.ExecuteNonQuery();
    }

    public ValueTask<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        Fold();
        return ValueTask.FromResult(database.Write(Tables, s =>
        {
            var get = s.Command($"SELECT {Columns} FROM store_task_index WHERE task_id = $id", "$id");
            get.Parameters[0].Value = taskId;
            using var reader = get.ExecuteReader();
            return reader.Read() ? ReadRecord(reader) : null;
        }));
    }

    public ValueTask<IReadOnlyList<TaskRecord>> SearchAsync(TaskQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        // One statement per combination of filters, so that each reads the one index that fits it.
        var filters = new List<string> { "updated >= $since", "updated < $until" };
        if (query.TaskName is not null) filters.Add("name = $name");
        if (query.State is not null) filters.Add("state = $state");
        Fold();
        var sql = $"SELECT {Columns} FROM store_task_index WHERE {string.Join(" AND ", filters)} ORDER BY updated DESC LIMIT $limit";
        return ValueTask.FromResult<IReadOnlyList<TaskRecord>>(database.Write(Tables, s =>
        {
            var search = s.Command(sql, "$since", "$until", "$name", "$state", "$limit");
            search.Parameters[0].Value = query.Since?.ToUnixTimeMilliseconds() ?? long.MinValue;
            search.Parameters[1].Value = query.Until?.ToUnixTimeMilliseconds() ?? long.MaxValue;
            search.Parameters[2].Value = (object?)query.TaskName ?? DBNull.Value;
            search.Parameters[3].Value = query.State is { } state ? (int)state : DBNull.Value;
            search.Parameters[4].Value = query.EffectiveLimit;
            var records = new List<TaskRecord>();
            using var reader = search.ExecuteReader();
            while (reader.Read()) records.Add(ReadRecord(reader));
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

    public void Dispose()
    {
        if (ownsDatabase) database.Dispose();
    }

    private static void Bind(SqliteCommand set, TaskRecord r)
    {
        var p = set.Parameters;
        p[0].Value = r.TaskId;
        p[1].Value = Nullable(r.TaskName);
        p[2].Value = Nullable(r.Queue);
        p[3].Value = (int)r.State;
        p[4].Value = r.Rank;
        p[5].Value = r.Attempt;
        p[6].Value = Millis(r.EnqueuedAt);
        p[7].Value = Millis(r.StartedAt);
        p[8].Value = Millis(r.FinishedAt);
        p[9].Value = r.UpdatedAt.ToUnixTimeMilliseconds();
        p[10].Value = Nullable(r.Worker);
        p[11].Value = r.DurationMs is { } duration ? duration : DBNull.Value;
        p[12].Value = Nullable(r.ExceptionType);
        p[13].Value = Nullable(r.ExceptionMessage);
        p[14].Value = Nullable(r.Args);
        p[15].Value = r.ArgsMasked ? 1 : 0;
        p[16].Value = Nullable(r.TraceId);
        p[17].Value = r.Progress is { } progress ? progress : DBNull.Value;
        p[18].Value = Nullable(r.ProgressMessage);
    }

    private static TaskRecord ReadRecord(SqliteDataReader r) => new(r.GetString(0))
    {
        TaskName = String(r, 1),
        Queue = String(r, 2),
        State = (TaskState)r.GetInt32(3),
        Rank = r.GetInt64(4),
        Attempt = r.GetInt32(5),
        EnqueuedAt = Time(r, 6),
        StartedAt = Time(r, 7),
        FinishedAt = Time(r, 8),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)),
        Worker = String(r, 10),
        DurationMs = r.IsDBNull(11) ? null : r.GetDouble(11),
        ExceptionType = String(r, 12),
        ExceptionMessage = String(r, 13),
        Args = String(r, 14),
        ArgsMasked = r.GetInt64(15) != 0,
        TraceId = String(r, 16),
        Progress = r.IsDBNull(17) ? null : r.GetDouble(17),
        ProgressMessage = String(r, 18),
    };

    private static object Nullable(string? value) => (object?)value ?? DBNull.Value;

    private static object Millis(DateTimeOffset? at) => at is { } value ? value.ToUnixTimeMilliseconds() : DBNull.Value;

    private static string? String(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset? Time(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));
}
