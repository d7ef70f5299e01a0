using Celeriac.Registry;
using Celeriac.Sqlite.Store;

namespace Celeriac.Sqlite.Registry;

/// <summary>The worker registry in the SQLite store: one row per worker with its entry and its expiry.</summary>
public sealed class SqliteWorkerRegistry(SqliteStoreDatabase database) : IWorkerRegistry
{
    private static readonly string[] Tables = ["CREATE TABLE IF NOT EXISTS store_workers (id TEXT PRIMARY KEY, json BLOB NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID"];

    public ValueTask HeartbeatAsync(WorkerInfo worker, TimeSpan keepFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var json = worker.ToJson();
        database.Write(Tables, s =>
        {
            var now = database.NowMillis;
            var prune = s.Command("DELETE FROM store_workers WHERE expires <= $now", "$now");
            prune.Parameters[0].Value = now;
            prune.ExecuteNonQuery();
            var set = s.Command("INSERT INTO store_workers (id, json, expires) VALUES ($id, $j, $e) ON CONFLICT (id) DO UPDATE SET json = excluded.json, expires = excluded.expires", "$id", "$j", "$e");
            set.Parameters[0].Value = worker.Id;
            set.Parameters[1].Value = json;
            set.Parameters[2].Value = now + (long)Math.Ceiling(keepFor.TotalMilliseconds);
            return set.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<WorkerInfo>> ListAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<WorkerInfo>>(database.Write(Tables, s =>
        {
            var list = s.Command("SELECT json FROM store_workers WHERE expires > $now", "$now");
            list.Parameters[0].Value = database.NowMillis;
            var workers = new List<WorkerInfo>();
            using var reader = list.ExecuteReader();
            while (reader.Read()) workers.Add(WorkerInfo.FromJson((byte[])reader.GetValue(0)));
            return workers;
        }));
}
