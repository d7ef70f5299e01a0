using Celeriac.Results;
using Celeriac.Sqlite.Store;

namespace Celeriac.Sqlite.Results;

/// <summary>Task results in the SQLite store, pruned as they expire.</summary>
public sealed class SqliteResultStore(SqliteStoreDatabase database) : IResultStore
{
    private static readonly string[] Tables = ["CREATE TABLE IF NOT EXISTS store_results (task_id TEXT PRIMARY KEY, json BLOB NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID"];

    public ValueTask SetAsync(TaskResult result, TimeSpan expiry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var json = result.ToJson();
        database.Write(Tables, s =>
        {
            var now = database.NowMillis;
            var prune = s.Command("DELETE FROM store_results WHERE expires <= $now", "$now");
            prune.Parameters[0].Value = now;
            prune.ExecuteNonQuery();
            var set = s.Command("INSERT INTO store_results (task_id, json, expires) VALUES ($id, $j, $e) ON CONFLICT (task_id) DO UPDATE SET json = excluded.json, expires = excluded.expires", "$id", "$j", "$e");
            set.Parameters[0].Value = result.TaskId;
            set.Parameters[1].Value = json;
            set.Parameters[2].Value = now + (long)Math.Ceiling(expiry.TotalMilliseconds);
            return set.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask<TaskResult?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        var json = database.Write(Tables, s =>
        {
            var get = s.Command("SELECT json FROM store_results WHERE task_id = $id AND expires > $now", "$id", "$now");
            get.Parameters[0].Value = taskId;
            get.Parameters[1].Value = database.NowMillis;
            return get.ExecuteScalar() as byte[];
        });
        return ValueTask.FromResult(json is null ? null : TaskResult.FromJson(json));
    }
}
