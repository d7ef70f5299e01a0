using Celeriac.Sqlite.Store;
using Celeriac.Workflows;

namespace Celeriac.Sqlite.Workflows;

/// <summary>Workflow group joins in the SQLite store: a row per member, and the member that completed the group.</summary>
public sealed class SqliteWorkflowStore(SqliteStoreDatabase database) : IWorkflowStore
{
    private static readonly string[] Tables =
    [
        "CREATE TABLE IF NOT EXISTS store_join_members (join_id TEXT NOT NULL, idx INTEGER NOT NULL, json TEXT NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (join_id, idx)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS store_joins (join_id TEXT PRIMARY KEY, completer INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID",
    ];

    public ValueTask<IReadOnlyList<string>?> JoinAsync(string joinId, int index, int size, string resultJson, TimeSpan expiry, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        return ValueTask.FromResult(database.Write<IReadOnlyList<string>?>(Tables, s =>
        {
            var now = database.NowMillis;
            var expires = now + (long)Math.Ceiling(expiry.TotalMilliseconds);
            foreach (var table in (string[])["store_join_members", "store_joins"])
            {
                var expired = s.Command($"DELETE FROM {table} WHERE join_id = $j AND expires <= $now", "$j", "$now");
                expired.Parameters[0].Value = joinId;
                expired.Parameters[1].Value = now;
                expired.ExecuteNonQuery();
            }
            var add = s.Command("INSERT INTO store_join_members (join_id, idx, json, expires) VALUES ($j, $i, $r, $e) ON CONFLICT (join_id, idx) DO NOTHING", "$j", "$i", "$r", "$e");
            add.Parameters[0].Value = joinId;
            add.Parameters[1].Value = index;
            add.Parameters[2].Value = resultJson;
            add.Parameters[3].Value = expires;
            add.ExecuteNonQuery();
            var count = s.Command("SELECT count(*) FROM store_join_members WHERE join_id = $j", "$j");
            count.Parameters[0].Value = joinId;
            if ((long)count.ExecuteScalar()! < size) return null;
            var claim = s.Command("INSERT INTO store_joins (join_id, completer, expires) VALUES ($j, $i, $e) ON CONFLICT (join_id) DO NOTHING", "$j", "$i", "$e");
            claim.Parameters[0].Value = joinId;
            claim.Parameters[1].Value = index;
            claim.Parameters[2].Value = expires;
            if (claim.ExecuteNonQuery() == 1) Prune(s, now);
            var completer = s.Command("SELECT completer FROM store_joins WHERE join_id = $j", "$j");
            completer.Parameters[0].Value = joinId;
            if ((long)completer.ExecuteScalar()! != index) return null;
            var read = s.Command("SELECT json FROM store_join_members WHERE join_id = $j ORDER BY idx", "$j");
            read.Parameters[0].Value = joinId;
            var results = new List<string>(size);
            using var reader = read.ExecuteReader();
            while (reader.Read()) results.Add(reader.GetString(0));
            return results;
        }));

        static void Prune(SqliteSession s, long now)
        {
            foreach (var table in (string[])["store_join_members", "store_joins"])
            {
                var prune = s.Command($"DELETE FROM {table} WHERE expires <= $now", "$now");
                prune.Parameters[0].Value = now;
                prune.ExecuteNonQuery();
            }
        }
    }
}
