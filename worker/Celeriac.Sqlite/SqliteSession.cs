using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Celeriac.Sqlite;

/// <summary>
/// One open connection and the commands prepared on it, reused call after call. Not thread-safe:
/// the broker guards each session with its own lock.
/// </summary>
internal sealed class SqliteSession : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private readonly int _commandTimeoutSeconds;
    private readonly TimeSpan _busyTimeout;

    /// <param name="waitsForWriteLock">
    /// True for the connection that writes: it takes the write lock only through <see cref="InTransaction"/>,
    /// which retries every millisecond. SQLite's own busy handler backs off to 100 ms between attempts, so
    /// under steady writes from other processes it would starve this one.
    /// </param>
    public SqliteSession(string connectionString, TimeSpan busyTimeout, bool waitsForWriteLock)
    {
        _busyTimeout = busyTimeout;
        _commandTimeoutSeconds = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds));
        _connection = new SqliteConnection(connectionString) { DefaultTimeout = _commandTimeoutSeconds };
        try
        {
            _connection.Open();
            var sqliteBusyTimeout = waitsForWriteLock ? 0 : (long)busyTimeout.TotalMilliseconds;
            Execute(FormattableString.Invariant($"PRAGMA busy_timeout = {sqliteBusyTimeout}"));
            Execute("PRAGMA synchronous = NORMAL");
            // After a burst, give the disk back: the WAL is truncated to this size once checkpointed.
            Execute("PRAGMA journal_size_limit = 67108864");
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>The prepared command for <paramref name="sql"/>, with its parameters in the order given.</summary>
    public SqliteCommand Command(string sql, params ReadOnlySpan<string> parameters)
    {
        if (_commands.TryGetValue(sql, out var command)) return command;
        command = _connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = _commandTimeoutSeconds;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        command.Prepare();
        _commands[sql] = command;
        return command;
    }

    public void Execute(string sql) => Command(sql).ExecuteNonQuery();

    public object? Scalar(string sql)
    {
        var value = Command(sql).ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction (BEGIN IMMEDIATE, so it never has to upgrade a read lock).</summary>
    public T InTransaction<T>(Func<SqliteSession, T> work)
    {
        BeginImmediate();
        T result;
        try
        {
            result = work(this);
            Execute("COMMIT");
        }
        catch
        {
            if (!_connection.Handle!.IsInvalid && raw.sqlite3_get_autocommit(_connection.Handle) == 0)
            {
                try { Execute("ROLLBACK"); }
                catch (SqliteException) { }
            }
            throw;
        }
        return result;
    }

    private void BeginImmediate()
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            var rc = raw.sqlite3_exec(_connection.Handle, "BEGIN IMMEDIATE");
            if (rc == raw.SQLITE_OK) return;
            var busy = (rc & 0xFF) is raw.SQLITE_BUSY or raw.SQLITE_LOCKED;
            if (!busy || Stopwatch.GetElapsedTime(started) >= _busyTimeout)
                SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
            Thread.Sleep(attempt < 3 ? 0 : 1);
        }
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Dispose();
        _commands.Clear();
        _connection.Dispose();
    }
}
