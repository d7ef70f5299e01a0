using Celeriac.Stores;
using Microsoft.Data.Sqlite;

namespace Celeriac.Sqlite;

/// <summary>
/// The store on the embedded broker's file, shared by the worker processes of one machine: rate limits
/// (a slot per start, reserved per ticket), locks (owner with expiry), results, revocations, workflow group joins
/// (a row per member, and the member that completed the group) and fan-out checkpoints. Each
/// operation is one <c>BEGIN IMMEDIATE</c> transaction, so processes never interleave inside one.
/// Its tables sit beside the broker's and are created on first use.
/// </summary>
public sealed class SqliteTaskStore : IRateLimiter, ITaskLockStore, IResultStore, IRevocationStore, IWorkflowStore, IFanOutProgressStore, IDisposable
{
    private static readonly string[] Tables =
    [
        "CREATE TABLE IF NOT EXISTS store_rate_limits (key TEXT PRIMARY KEY, next_slot INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS store_rate_tickets (ticket TEXT PRIMARY KEY, slot INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS store_locks (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS store_results (task_id TEXT PRIMARY KEY, json BLOB NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS store_revocations (task_id TEXT PRIMARY KEY, expires INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS store_name_revocations (task_name TEXT PRIMARY KEY, revoked_at INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS store_join_members (join_id TEXT NOT NULL, idx INTEGER NOT NULL, json TEXT NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (join_id, idx)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS store_joins (join_id TEXT PRIMARY KEY, completer INTEGER NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS store_fanout_progress (key TEXT PRIMARY KEY, checkpoint TEXT NOT NULL) WITHOUT ROWID",
    ];

    private readonly string _connectionString;
    private readonly TimeSpan _busyTimeout;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private SqliteSession? _session;
    private bool _disposed;

    public SqliteTaskStore(SqliteBrokerOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        SqliteBrokerOptionsValidator.Instance.ThrowIfInvalid(options);
        SQLitePCL.Batteries_V2.Init();
        _busyTimeout = options.BusyTimeout;
        _time = timeProvider ?? TimeProvider.System;
        var directory = Path.GetDirectoryName(Path.GetFullPath(options.Path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString();
        Write(s =>
        {
            foreach (var table in Tables) s.Execute(table);
            return 0;
        });
    }

    private long NowMicros => _time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
    private long NowMillis => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public ValueTask<TimeSpan> ReserveAsync(string key, RateLimit limit, string ticket, TimeSpan consumeWithin, CancellationToken cancellationToken)
    {
        var id = key + "\n" + ticket;
        var wait = Write(s =>
        {
            var now = NowMicros;
            var find = s.Command("SELECT slot FROM store_rate_tickets WHERE ticket = $t", "$t");
            find.Parameters[0].Value = id;
            long slot;
            if (find.ExecuteScalar() is long reserved) slot = reserved;
            else
            {
                var next = s.Command("SELECT next_slot FROM store_rate_limits WHERE key = $k", "$k");
                next.Parameters[0].Value = key;
                slot = next.ExecuteScalar() is long n && n > now ? n : now;
                var set = s.Command("INSERT INTO store_rate_limits (key, next_slot) VALUES ($k, $n) ON CONFLICT (key) DO UPDATE SET next_slot = excluded.next_slot", "$k", "$n");
                set.Parameters[0].Value = key;
                set.Parameters[1].Value = slot + limit.Interval.Ticks / 10;
                set.ExecuteNonQuery();
            }
            var micros = slot - now;
            if (micros <= consumeWithin.Ticks / 10)
            {
                var delete = s.Command("DELETE FROM store_rate_tickets WHERE ticket = $t OR expires < $now", "$t", "$now");
                delete.Parameters[0].Value = id;
                delete.Parameters[1].Value = now;
                delete.ExecuteNonQuery();
            }
            else
            {
                var keep = s.Command("INSERT INTO store_rate_tickets (ticket, slot, expires) VALUES ($t, $s, $e) ON CONFLICT (ticket) DO UPDATE SET slot = excluded.slot, expires = excluded.expires", "$t", "$s", "$e");
                keep.Parameters[0].Value = id;
                keep.Parameters[1].Value = slot;
                keep.Parameters[2].Value = slot + 60_000_000;
                keep.ExecuteNonQuery();
            }
            return micros;
        });
        return ValueTask.FromResult(TimeSpan.FromTicks(wait * 10));
    }

    public ValueTask<string> AcquireAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken)
    {
        return ValueTask.FromResult(Write(s =>
        {
            var now = NowMillis;
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
    }

    public ValueTask ReleaseAsync(string key, string owner, CancellationToken cancellationToken)
    {
        Write(s =>
        {
            var delete = s.Command("DELETE FROM store_locks WHERE key = $k AND owner = $o", "$k", "$o");
            delete.Parameters[0].Value = key;
            delete.Parameters[1].Value = owner;
            return delete.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask SetAsync(TaskResult result, TimeSpan expiry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var json = result.ToJson();
        Write(s =>
        {
            var now = NowMillis;
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
        var json = Write(s =>
        {
            var get = s.Command("SELECT json FROM store_results WHERE task_id = $id AND expires > $now", "$id", "$now");
            get.Parameters[0].Value = taskId;
            get.Parameters[1].Value = NowMillis;
            return get.ExecuteScalar() as byte[];
        });
        return ValueTask.FromResult(json is null ? null : TaskResult.FromJson(json));
    }

    public ValueTask RevokeAsync(string taskId, TimeSpan expiry, CancellationToken cancellationToken)
    {
        Write(s =>
        {
            var set = s.Command("INSERT INTO store_revocations (task_id, expires) VALUES ($id, $e) ON CONFLICT (task_id) DO UPDATE SET expires = excluded.expires", "$id", "$e");
            set.Parameters[0].Value = taskId;
            set.Parameters[1].Value = NowMillis + (long)Math.Ceiling(expiry.TotalMilliseconds);
            return set.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyCollection<string>> GetRevokedAsync(CancellationToken cancellationToken)
    {
        return ValueTask.FromResult<IReadOnlyCollection<string>>(Write(s =>
        {
            var list = s.Command("SELECT task_id FROM store_revocations WHERE expires > $now", "$now");
            list.Parameters[0].Value = NowMillis;
            var ids = new List<string>();
            using var reader = list.ExecuteReader();
            while (reader.Read()) ids.Add(reader.GetString(0));
            return ids;
        }));
    }

    public ValueTask<IReadOnlyList<string>?> JoinAsync(string joinId, int index, int size, string resultJson, TimeSpan expiry, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        return ValueTask.FromResult(Write<IReadOnlyList<string>?>(s =>
        {
            var now = NowMillis;
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

    public ValueTask<string?> GetCheckpointAsync(string key, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Write(s =>
        {
            var get = s.Command("SELECT checkpoint FROM store_fanout_progress WHERE key = $k", "$k");
            get.Parameters[0].Value = key;
            return get.ExecuteScalar() as string;
        }));

    public ValueTask SetCheckpointAsync(string key, string checkpoint, CancellationToken cancellationToken)
    {
        Write(s =>
        {
            var set = s.Command("INSERT INTO store_fanout_progress (key, checkpoint) VALUES ($k, $c) ON CONFLICT (key) DO UPDATE SET checkpoint = excluded.checkpoint", "$k", "$c");
            set.Parameters[0].Value = key;
            set.Parameters[1].Value = checkpoint;
            return set.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask RevokeTaskNameAsync(string taskName, TimeSpan expiry, CancellationToken cancellationToken)
    {
        Write(s =>
        {
            var set = s.Command("INSERT INTO store_name_revocations (task_name, revoked_at, expires) VALUES ($n, $at, $e) ON CONFLICT (task_name) DO UPDATE SET revoked_at = excluded.revoked_at, expires = excluded.expires", "$n", "$at", "$e");
            var now = NowMillis;
            set.Parameters[0].Value = taskName;
            set.Parameters[1].Value = now;
            set.Parameters[2].Value = now + (long)Math.Ceiling(expiry.TotalMilliseconds);
            return set.ExecuteNonQuery();
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyDictionary<string, DateTimeOffset>> GetRevokedTaskNamesAsync(CancellationToken cancellationToken)
    {
        return ValueTask.FromResult<IReadOnlyDictionary<string, DateTimeOffset>>(Write(s =>
        {
            var list = s.Command("SELECT task_name, revoked_at FROM store_name_revocations WHERE expires > $now", "$now");
            list.Parameters[0].Value = NowMillis;
            var names = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            using var reader = list.ExecuteReader();
            while (reader.Read()) names[reader.GetString(0)] = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
            return names;
        }));
    }

    private T Write<T>(Func<SqliteSession, T> work)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _session ??= new SqliteSession(_connectionString, _busyTimeout, waitsForWriteLock: true);
            try
            {
                return _session.InTransaction(work);
            }
            catch (SqliteException)
            {
                _session.Dispose();
                _session = null;
                throw;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _session?.Dispose();
            _session = null;
        }
    }
}
