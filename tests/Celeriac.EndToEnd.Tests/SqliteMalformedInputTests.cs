using System.Text;
using Microsoft.Data.Sqlite;

namespace Celeriac.EndToEnd.Tests;

/// <summary>
/// Bad input written straight into the embedded SQLite broker, between good tasks, with a real worker process: the shared
/// bodies, and rows written with raw SQL into the broker file as a foreign program would, using SQLite's dynamic types —
/// bodies that are TEXT (valid or not as UTF-8), INTEGER or REAL, deliveries values that are words, huge, negative or
/// BLOBs, visible_at values that are TEXT, BLOB, REAL or past any calendar, stray lease tokens, a negative row id, rows
/// in queues whose names differ from the served one by a character, and bodies of several megabytes.
/// </summary>
public sealed class SqliteMalformedInputTests : MalformedInputTests
{
    private const int Large = 8 * 1024 * 1024;
    private Scenario? _scenario;

    protected override WorkerProcessScenario NewScenario() => _scenario = new Scenario();

    private static long Past => DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds();

    /// <summary>One row, each value bound with its own SQLite type (string: TEXT, byte[]: BLOB, long: INTEGER, double: REAL).</summary>
    private async Task InsertAsync(object body, object? visibleAt = null, object? deliveries = null, object? leaseToken = null, string queue = Queue, long? id = null)
    {
        await ExecuteAsync(
            "INSERT INTO messages (id, queue, body, visible_at, lease_token, deliveries) VALUES ($id, $queue, $body, $visible_at, $lease_token, $deliveries)",
            ("$id", id), ("$queue", queue), ("$body", body), ("$visible_at", visibleAt ?? Past), ("$lease_token", leaseToken), ("$deliveries", deliveries ?? 0L));
    }

    private async Task ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _scenario!.BrokerPath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        await command.ExecuteNonQueryAsync();
    }

    private static string GoodText(string id, string extra = "") => Encoding.UTF8.GetString(GoodBody(id, extra));

    protected override IEnumerable<RawEntry> TransportEntries(WorkerProcessScenario scenario) =>
    [
        // body: a BLOB as Celeriac writes it; TEXT is read as the bytes stored; numbers are not bodies.
        new("a TEXT body holding a good envelope", () => InsertAsync(GoodText("sqlite-text-body"))) { RunsAs = "sqlite-text-body" },
        new("a TEXT body that is not an envelope", () => InsertAsync("hello, worker")) { Reason = "unparseable envelope" },
        new("an empty TEXT body", () => InsertAsync("")) { Reason = "unparseable envelope" },
        new("a TEXT body that is not UTF-8", () => ExecuteAsync("INSERT INTO messages (queue, body, visible_at) VALUES ($queue, CAST(x'7b22ff22' AS TEXT), 0)", ("$queue", Queue))) { Reason = "unparseable envelope" },
        new("an INTEGER body", () => InsertAsync(42L)) { Reason = "the message row's body is INTEGER, not BLOB or TEXT" },
        new("a REAL body", () => InsertAsync(1.5)) { Reason = "the message row's body is REAL, not BLOB or TEXT" },
        new("an 8 MB BLOB body that is not an envelope", () => InsertAsync(Encoding.UTF8.GetBytes(new string('x', Large)))) { Reason = "unparseable envelope" },
        new("an 8 MB good envelope as TEXT", () => InsertAsync(GoodText("sqlite-large", $$""","pad":"{{new string('p', Large)}}" """))) { RunsAs = "sqlite-large" },

        // deliveries: anything but an integer counts as none; any integer is a count, clamped.
        new("deliveries that are a word", () => InsertAsync(GoodBody("sqlite-d-word"), deliveries: "many")) { RunsAs = "sqlite-d-word" },
        new("deliveries that are the text NULL", () => InsertAsync(GoodBody("sqlite-d-null-text"), deliveries: "NULL")) { RunsAs = "sqlite-d-null-text" },
        new("deliveries that are empty text", () => InsertAsync(GoodBody("sqlite-d-empty"), deliveries: "")) { RunsAs = "sqlite-d-empty" },
        new("deliveries that are a BLOB", () => InsertAsync(GoodBody("sqlite-d-blob"), deliveries: new byte[] { 1 })) { RunsAs = "sqlite-d-blob" },
        new("deliveries of 1e30", () => InsertAsync(GoodBody("sqlite-d-real"), deliveries: 1e30)) { RunsAs = "sqlite-d-real" },
        new("deliveries at the largest integer", () => InsertAsync(GoodBody("sqlite-d-max"), deliveries: long.MaxValue)) { RunsAs = "sqlite-d-max" },
        new("deliveries at the largest 32-bit integer", () => InsertAsync(GoodBody("sqlite-d-int-max"), deliveries: (long)int.MaxValue)) { RunsAs = "sqlite-d-int-max" },
        new("negative deliveries", () => InsertAsync(GoodBody("sqlite-d-negative"), deliveries: -5L)) { RunsAs = "sqlite-d-negative" },

        // visible_at: Unix milliseconds; REAL and numeric text are numbers to SQLite; TEXT, BLOB and times past the
        // year 9999 would never be due.
        new("visible_at as REAL", () => InsertAsync(GoodBody("sqlite-v-real"), visibleAt: 1.5)) { RunsAs = "sqlite-v-real" },
        new("visible_at as numeric TEXT", () => InsertAsync(GoodBody("sqlite-v-numeric-text"), visibleAt: "0")) { RunsAs = "sqlite-v-numeric-text" },
        new("a negative visible_at", () => InsertAsync(GoodBody("sqlite-v-negative"), visibleAt: -1L)) { RunsAs = "sqlite-v-negative" },
        new("visible_at as a word", () => InsertAsync(GoodBody("sqlite-v-word"), visibleAt: "soon")) { Reason = "visible_at is TEXT ('soon')" },
        new("visible_at as a BLOB", () => InsertAsync(GoodBody("sqlite-v-blob"), visibleAt: new byte[] { 0 })) { Reason = "visible_at is a BLOB" },
        new("visible_at at the largest integer", () => InsertAsync(GoodBody("sqlite-v-max"), visibleAt: long.MaxValue)) { Reason = "is after the year 9999" },
        new("visible_at of 1e20", () => InsertAsync(GoodBody("sqlite-v-1e20"), visibleAt: 1e20)) { Reason = "is after the year 9999" },

        // lease_token: a receive sets its own; one left by a dead worker, or of a wrong type, changes nothing.
        new("a lease token that is a word", () => InsertAsync(GoodBody("sqlite-l-word"), leaseToken: "abc")) { RunsAs = "sqlite-l-word" },
        new("a lease that ran out", () => InsertAsync(GoodBody("sqlite-l-expired"), deliveries: 3L, leaseToken: 12345L)) { RunsAs = "sqlite-l-expired" },
        new("a lease token on a row that is never due", () => InsertAsync(GoodBody("sqlite-l-never"), visibleAt: "later", leaseToken: "abc")) { Reason = "visible_at is TEXT ('later')" },

        new("a negative row id", () => InsertAsync(GoodBody("sqlite-negative-id"), id: -424242)) { RunsAs = "sqlite-negative-id" },

        // Rows of other queues: a name that differs by a character is another queue, never served for this one.
        new("a queue name with a trailing space", () => InsertAsync(GoodBody("sqlite-q-space"), queue: Queue + " ")),
        new("a queue name in other case", () => InsertAsync(GoodBody("sqlite-q-case"), queue: Queue.ToUpperInvariant())),
        new("a queue name with a NUL", () => InsertAsync(GoodBody("sqlite-q-nul"), queue: Queue + "\0")),
        new("a queue name with a Cyrillic letter", () => InsertAsync(GoodBody("sqlite-q-cyrillic"), queue: "d\u0435fault")),
        new("a queue name as a BLOB", () => ExecuteAsync("INSERT INTO messages (queue, body, visible_at) VALUES ($queue, $body, 0)", ("$queue", Encoding.UTF8.GetBytes(Queue)), ("$body", GoodBody("sqlite-q-blob")))),
    ];
}
