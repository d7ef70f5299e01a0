using Celeriac.Examples;
using Microsoft.Data.Sqlite;

namespace Celeriac.Demo;

/// <summary>Reads the outcome log the workers write.</summary>
public sealed class OutcomeReader(string path)
{
    /// <param name="Attempts">Runs of the task's code that ended (succeeded, retried or failed for good).</param>
    /// <param name="Failed">Failed for good (retries exhausted or not retryable), as <c>celeriac_tasks_failed_total</c> counts them.</param>
    public sealed record TaskSummary(string Task, long Attempts, long Succeeded, long Failed, long Retried, long DeadLettered, long Expired, double P50, double P95);

    private SqliteConnection? Open()
    {
        if (!File.Exists(path)) return null;
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, DefaultTimeout = 30 }.ToString());
        connection.Open();
        // A worker creates the file a moment before the table: until then there is nothing to read.
        using var table = connection.CreateCommand();
        table.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outcomes'";
        if (table.ExecuteScalar() is not null) return connection;
        connection.Dispose();
        return null;
    }

    public Dictionary<string, long> CountByOutcome()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        using var connection = Open();
        if (connection is null) return counts;
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT outcome, COUNT(*) FROM outcomes GROUP BY outcome";
        using var reader = command.ExecuteReader();
        while (reader.Read()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    public long Terminal() => CountByOutcome().Where(kv => OutcomeLog.TerminalOutcomes.Contains(kv.Key)).Sum(kv => kv.Value);

    public List<TaskSummary> Summaries()
    {
        var rows = new List<(string Task, string Outcome, double Ms, string? Exception)>();
        using (var connection = Open())
        {
            if (connection is null) return [];
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT task, outcome, ms, exception FROM outcomes";
            using var reader = command.ExecuteReader();
            while (reader.Read()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetDouble(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }
        return [.. rows.GroupBy(r => r.Task).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var durations = g.Where(r => r.Outcome is "Succeeded").Select(r => r.Ms).Order().ToArray();
            return new TaskSummary(
                g.Key,
                Attempts: g.Count(r => r.Outcome is "Succeeded" or "Retried" || IsFinalFailure(r.Outcome, r.Exception)),
                Succeeded: g.Count(r => r.Outcome == "Succeeded"),
                Failed: g.Count(r => IsFinalFailure(r.Outcome, r.Exception)),
                Retried: g.Count(r => r.Outcome == "Retried"),
                DeadLettered: g.Count(r => r.Outcome is "DeadLettered" or "Rejected"),
                Expired: g.Count(r => r.Outcome == "Expired"),
                P50: Percentile(durations, 0.50),
                P95: Percentile(durations, 0.95));
        })];
    }

    /// <summary>What the failed metric counts: an exception that was not retried (dead-lettered, or failed where nothing dead-letters).</summary>
    private static bool IsFinalFailure(string outcome, string? exception) => exception is not null && outcome is "DeadLettered" or "Failed";

    public static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
