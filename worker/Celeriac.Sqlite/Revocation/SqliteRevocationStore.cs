using Celeriac.Revocation;
using Celeriac.Sqlite.Store;

namespace Celeriac.Sqlite.Revocation;

/// <summary>Revoked task ids and task names in the SQLite store, each until its expiry.</summary>
public sealed class SqliteRevocationStore(SqliteStoreDatabase database) : IRevocationStore
{
    private static readonly string[] Tables =
    [
        "CREATE TABLE IF NOT EXISTS store_revocations (task_id TEXT PRIMARY KEY, expires INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS store_name_revocations (task_name TEXT PRIMARY KEY, revoked_at INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID",
    ];

    public ValueTask RevokeAsync(string taskId, TimeSpan expiry, CancellationToken cancellationToken)
    {
        database.Write(Tables, s =>
        {
            var set = s.Command("INSERT INTO store_revocations (task_id, expires) VALUES ($id, $e) ON CONFLICT (task_id) DO UPDATE SET expires = excluded.expires", "$id", "$e");
            set.Parameters[0].Value = taskId;
            set.Parameters[1].Value = database.NowMillis + (long)Math.Ceiling(expiry.TotalMilliseconds);
            return set.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyCollection<string>> GetRevokedAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyCollection<string>>(database.Write(Tables, s =>
        {
            var list = s.Command("SELECT task_id FROM store_revocations WHERE expires > $now", "$now");
            list.Parameters[0].Value = database.NowMillis;
            var ids = new List<string>();
            using var reader = list.ExecuteReader();
            while (reader.Read()) ids.Add(reader.GetString(0));
            return ids;
        }));

    public ValueTask RevokeTaskNameAsync(string taskName, TimeSpan expiry, CancellationToken cancellationToken)
    {
        database.Write(Tables, s =>
        {
            var set = s.Command("INSERT INTO store_name_revocations (task_name, revoked_at, expires) VALUES ($n, $at, $e) ON CONFLICT (task_name) DO UPDATE SET revoked_at = excluded.revoked_at, expires = excluded.expires", "$n", "$at", "$e");
            var now = database.NowMillis;
            set.Parameters[0].Value = taskName;
            set.Parameters[1].Value = now;
            set.Parameters[2].Value = now + (long)Math.Ceiling(expiry.TotalMilliseconds);
            return set.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyDictionary<string, DateTimeOffset>> GetRevokedTaskNamesAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyDictionary<string, DateTimeOffset>>(database.Write(Tables, s =>
        {
            var list = s.Command("SELECT task_name, revoked_at FROM store_name_revocations WHERE expires > $now", "$now");
            list.Parameters[0].Value = database.NowMillis;
            var names = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            using var reader = list.ExecuteReader();
            while (reader.Read()) names[reader.GetString(0)] = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
            return names;
        }));
}
