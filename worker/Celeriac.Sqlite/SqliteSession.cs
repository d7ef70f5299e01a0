using Microsoft.Data.Sqlite;

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

    public SqliteSession(string connectionString, TimeSpan busyTimeout)
    {
        _commandTimeoutSeconds = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds));
        _connection = new SqliteConnection(connectionString) { DefaultTimeout = _commandTimeoutSeconds };
        try
        {
            _connection.Open();
            Execute(FormattableString.Invariant($"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}"));
            Execute("PRAGMA synchronous = NORMAL");
            foreach (var extra in (Environment.GetEnvironmentVariable("CELERIAC_PRAGMAS") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)) Execute("PRAGMA " + extra);
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
        Execute("BEGIN IMMEDIATE");
        T result;
        try
        {
            result = work(this);
            Execute("COMMIT");
        }
        catch
        {
            if (!_connection.Handle!.IsInvalid && SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0)
            {
                try { Execute("ROLLBACK"); }
                catch (SqliteException) { }
            }
            throw;
        }
        return result;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Dispose();
        _commands.Clear();
        _connection.Dispose();
    }
}
