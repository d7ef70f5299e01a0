using Celeriac.FanOut;
using Celeriac.Sqlite.Store;

namespace Celeriac.Sqlite.FanOut;

/// <summary>Fan-out checkpoints in the SQLite store.</summary>
public sealed class SqliteFanOutProgressStore(SqliteStoreDatabase database) : IFanOutProgressStore
{
    private static readonly string[] Tables = ["CREATE TABLE IF NOT EXISTS store_fanout_progress (key TEXT PRIMARY KEY, checkpoint TEXT NOT NULL) WITHOUT ROWID"];

    public ValueTask<string?> GetCheckpointAsync(string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Write(Tables, s =>
        {
            var get = s.Command("SELECT checkpoint FROM store_fanout_progress WHERE key = $k", "$k");
            get.Parameters[0].Value = key;
            return get.ExecuteScalar() as string;
        }));

    public ValueTask SetCheckpointAsync(string key, string checkpoint, CancellationToken cancellationToken)
    {
        database.Write(Tables, s =>
        {
            var set = s.Command("INSERT INTO store_fanout_progress (key, checkpoint) VALUES ($k, $c) ON CONFLICT (key) DO UPDATE SET checkpoint = excluded.checkpoint", "$k", "$c");
            set.Parameters[0].Value = key;
            set.Parameters[1].Value = checkpoint;
            return set.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }
}
