using Celeriac.Tasks;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Celeriac.Examples;

/// <summary>
/// Appends task executions (task id, event, process id) to a SQLite file named by <c>Examples:ExecutionLog</c>,
/// shared by all worker processes, so that tests can prove none was lost and none ran twice.
/// Does nothing when no file is configured.
/// </summary>
public sealed class ExecutionLog
{
    private readonly string? _connectionString;

    public ExecutionLog(IConfiguration configuration)
    {
        var path = configuration["Examples:ExecutionLog"];
        if (string.IsNullOrEmpty(path)) return;
        SQLitePCL.Batteries_V2.Init();
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30 }.ToString();
        using var connection = Open();
        Execute(connection, "CREATE TABLE IF NOT EXISTS executions (task_id TEXT NOT NULL, task TEXT NOT NULL, event TEXT NOT NULL, attempt INTEGER NOT NULL, pid INTEGER NOT NULL, at TEXT NOT NULL)");
    }

    public async Task RecordAsync(TaskContext context, string @event)
    {
        if (_connectionString is null) return;
        // The event's time, before the log file is opened: latency measurements must not include that.
        var at = DateTimeOffset.UtcNow.ToString("O");
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO executions (task_id, task, event, attempt, pid, at) VALUES ($id, $task, $event, $attempt, $pid, $at)";
        command.Parameters.AddWithValue("$id", context.TaskId);
        command.Parameters.AddWithValue("$task", context.TaskName);
        command.Parameters.AddWithValue("$event", @event);
        command.Parameters.AddWithValue("$attempt", context.Attempt);
        command.Parameters.AddWithValue("$pid", Environment.ProcessId);
        command.Parameters.AddWithValue("$at", at);
        await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Every recorded event of the log at <paramref name="path"/> (none when it does not exist yet).</summary>
    public static IReadOnlyList<(string TaskId, string Task, string Event, int Pid)> ReadAll(string path)
    {
        var rows = new List<(string, string, string, int)>();
        if (!File.Exists(path)) return rows;
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30 }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE name = 'executions'";
        if (command.ExecuteScalar() is null) return rows;
        command.CommandText = "SELECT task_id, task, event, pid FROM executions";
        using var reader = command.ExecuteReader();
        while (reader.Read()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
        return rows;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
