using Celeriac.Control;
using Celeriac.Sqlite.Store;

namespace Celeriac.Sqlite.Control;

/// <summary>Control settings in the SQLite store: the entries, and one row holding their version.</summary>
public sealed class SqliteControlStore(SqliteStoreDatabase database) : IControlStore
{
    private static readonly string[] Tables =
    [
        "CREATE TABLE IF NOT EXISTS store_control (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS store_control_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
    ];

    public ValueTask<long> SetAsync(string key, string? value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return ValueTask.FromResult(database.Write(Tables, s =>
        {
            if (value is null)
            {
                var delete = s.Command("DELETE FROM store_control WHERE key = $k", "$k");
                delete.Parameters[0].Value = key;
                delete.ExecuteNonQuery();
            }
            else
            {
                var set = s.Command("INSERT INTO store_control (key, value) VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value", "$k", "$v");
                set.Parameters[0].Value = key;
                set.Parameters[1].Value = value;
                set.ExecuteNonQuery();
            }
            s.Execute("INSERT INTO store_control_version (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = version + 1");
            return (long)s.Scalar("SELECT version FROM store_control_version WHERE id = 1")!;
        }));
    }

    public ValueTask<ControlSnapshot?> GetAsync(long knownVersion, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Write(Tables, s =>
        {
            var version = s.Scalar("SELECT version FROM store_control_version WHERE id = 1") as long? ?? 0;
            if (version == knownVersion) return null;
            var entries = new Dictionary<string, string>(StringComparer.Ordinal);
            using (var reader = s.Command("SELECT key, value FROM store_control").ExecuteReader())
                while (reader.Read()) entries[reader.GetString(0)] = reader.GetString(1);
            return new ControlSnapshot(version, entries);
        }));
}
