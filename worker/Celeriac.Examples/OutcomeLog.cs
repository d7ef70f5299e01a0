using System.Threading.Channels;
using Celeriac.Observability;
using Celeriac.Pipeline;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Celeriac.Examples;

/// <summary>
/// An observer that writes every task outcome (task, outcome, duration, exception) to the SQLite file
/// named by <c>Examples:OutcomeLog</c>, in batches. The main job reads it for its progress and summary.
/// Does nothing when no file is configured.
/// </summary>
public sealed class OutcomeLog : ITaskObserver, IAsyncDisposable
{
    private readonly record struct Row(string Task, string Outcome, double Milliseconds, string? Exception);

    private readonly Channel<Row> _rows = Channel.CreateUnbounded<Row>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string? _connectionString;
    private readonly Task _writer = Task.CompletedTask;

    public OutcomeLog(IConfiguration configuration)
    {
        var path = configuration["Examples:OutcomeLog"];
        if (string.IsNullOrEmpty(path)) return;
        SQLitePCL.Batteries_V2.Init();
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 30 }.ToString();
        using (var connection = Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "CREATE TABLE IF NOT EXISTS outcomes (task TEXT NOT NULL, outcome TEXT NOT NULL, ms REAL NOT NULL, exception TEXT)";
            command.ExecuteNonQuery();
        }
        _writer = Task.Run(WriteAsync);
    }

    public static string[] TerminalOutcomes { get; } = [nameof(TaskOutcome.Succeeded), nameof(TaskOutcome.DeadLettered), nameof(TaskOutcome.Expired), nameof(TaskOutcome.Revoked), "Rejected"];

    public void OnFinished(TaskExecution execution, Settlement settlement, TimeSpan duration)
    {
        if (_connectionString is not null)
            _rows.Writer.TryWrite(new Row(execution.TaskName, settlement.Outcome.ToString(), duration.TotalMilliseconds, settlement.Error?.GetType().Name));
    }

    public void OnRejected(Brokers.BrokerMessage message, string? taskName, string reason)
    {
        if (_connectionString is not null)
            _rows.Writer.TryWrite(new Row(taskName ?? "unknown", "Rejected", 0, null));
    }

    private async Task WriteAsync()
    {
        var batch = new List<Row>();
        while (await _rows.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            await Task.Delay(50).ConfigureAwait(false);
            while (_rows.Reader.TryRead(out var row)) batch.Add(row);
            await using var connection = Open();
            await using var transaction = connection.BeginTransaction();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO outcomes (task, outcome, ms, exception) VALUES ($t, $o, $ms, $e)";
            var t = command.Parameters.Add("$t", SqliteType.Text);
            var o = command.Parameters.Add("$o", SqliteType.Text);
            var ms = command.Parameters.Add("$ms", SqliteType.Real);
            var e = command.Parameters.Add("$e", SqliteType.Text);
            foreach (var row in batch)
            {
                (t.Value, o.Value, ms.Value, e.Value) = (row.Task, row.Outcome, row.Milliseconds, (object?)row.Exception ?? DBNull.Value);
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            await transaction.CommitAsync().ConfigureAwait(false);
            batch.Clear();
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000;";
        command.ExecuteNonQuery();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        _rows.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
