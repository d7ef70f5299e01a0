using Celeriac.Locks;
using Celeriac.Sqlite.Store;

namespace Celeriac.Sqlite.Locks;

/// <summary>Task locks in the SQLite store: an owner and an expiry per key.</summary>
public sealed class SqliteTaskLockStore(SqliteStoreDatabase database) : ITaskLockStore
{
    private static readonly string[] Tables = ["CREATE TABLE IF NOT EXISTS store_locks (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID"];

    public ValueTask<string> AcquireAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken) =>
        ValueTask.FromResult(database.Write(Tables, s =>
        {
            var now = database.NowMillis;
            var find = s.Command("SELECT owner FROM store_locks WHERE key = $k AND expires > $now", "$k", "$now");
            find.Parameters[0].Value = key;
            find.Parameters[1].Value = now;
            if (find.ExecuteScalar() is string holder && holder != owner) return holder;
            var take = s.Command("INSERT INTO store_locks (key, owner, expires) VALUES ($k, $o, $e) ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires = excluded.expires", "$k", "$o", "$e");
            take.Parameters[0].Value = key;
            take.Parameters[1].Value = owner;
            take.Parameters[2].Value = now + (long)Math.Ceiling(ttl.TotalMilliseconds);
            take.ExecuteNonQuery();
            return owner;
        }));

    public ValueTask ReleaseAsync(string key, string owner, CancellationToken cancellationToken)
    {
        database.Write(Tables, s =>
        {
            var delete = s.Command("DELETE FROM store_locks WHERE key = $k AND owner = $o", "$k", "$o");
            delete.Parameters[0].Value = key;
            delete.Parameters[1].Value = owner;
            return delete.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }
}
