using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Celeriac.Bench;

/// <summary>
/// The SQLite broker's receive, two ways, on the SQLite this build bundles: read the ready rows then lease them by id
/// (what the broker does), against one <c>UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING</c>. Both run inside
/// <c>BEGIN IMMEDIATE</c> on the broker's table and index, in batches of 64 from a queue of ready rows, alternated
/// round by round so that both see the same machine.
/// </summary>
public static class SqliteReceiveStatementBench
{
    private const int Rows = 20_000;
    private const int Batch = 64;
    private const int Rounds = 15;

    // As SqliteBroker reads a row: the body's stored bytes and type, deliveries only when an integer.
    private const string ReadySql = """
        SELECT id, CAST(body AS BLOB), CASE typeof(deliveries) WHEN 'integer' THEN deliveries ELSE 0 END, typeof(body) FROM messages
        WHERE queue = $queue AND visible_at <= $now ORDER BY visible_at, id LIMIT $max
        """;
    private const string LeaseByIdSql = "UPDATE messages SET visible_at = $until, lease_token = $token, deliveries = $deliveries WHERE id = $id";
    private const string ReturningSql = """
        UPDATE messages SET visible_at = $until, lease_token = $token, deliveries = deliveries + 1
        WHERE id IN (SELECT id FROM messages WHERE queue = $queue AND visible_at <= $now ORDER BY visible_at, id LIMIT $max)
        RETURNING id, body, deliveries
        """;

    /// <summary>
    /// Returns the cost per received message, in microseconds, of each way: the best of the rounds (on a shared machine
    /// other processes only ever add time) and their median. The order alternates round by round.
    /// </summary>
    public static (string SqliteVersion, (double Best, double Median) ReadThenLeaseUs, (double Best, double Median) ReturningUs) Run()
    {
        using var directory = new TempDirectory();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory.Path, "receive.db"),
            Pooling = false,
        }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode = WAL");
        Execute(connection, "PRAGMA synchronous = NORMAL");
        Execute(connection, """
            CREATE TABLE messages (id INTEGER PRIMARY KEY, queue TEXT NOT NULL, body BLOB NOT NULL, visible_at INTEGER NOT NULL,
                lease_token INTEGER, deliveries INTEGER NOT NULL DEFAULT 0)
            """);
        Execute(connection, "CREATE INDEX messages_receive ON messages (queue, visible_at, id, lease_token)");
        var version = (string)new SqliteCommand("SELECT sqlite_version()", connection).ExecuteScalar()!;

        var body = new byte[300];
        Random.Shared.NextBytes(body);
        using (var fill = connection.BeginTransaction())
        {
            using var insert = new SqliteCommand("INSERT INTO messages (queue, body, visible_at) VALUES ('default', $body, $i)", connection, fill);
            insert.Parameters.Add("$body", SqliteType.Blob).Value = body;
            var i = insert.Parameters.Add("$i", SqliteType.Integer);
            for (var row = 0; row < Rows; row++)
            {
                i.Value = row;
                insert.ExecuteNonQuery();
            }
            fill.Commit();
        }

        using var statements = new Statements(connection);
        var readThenLease = new List<double>();
        var returning = new List<double>();
        // A first unmeasured pass of each, so that both are compiled and the pages are cached.
        for (var round = -1; round < Rounds; round++)
        {
            double a, b;
            if (round % 2 == 0)
            {
                a = Drain(connection, statements.ReadThenLease);
                b = Drain(connection, statements.Returning);
            }
            else
            {
                b = Drain(connection, statements.Returning);
                a = Drain(connection, statements.ReadThenLease);
            }
            if (round < 0) continue;
            readThenLease.Add(a);
            returning.Add(b);
        }
        return (version, (readThenLease.Min(), Statistics.Median(readThenLease)), (returning.Min(), Statistics.Median(returning)));
    }

    /// <summary>Receives every row in batches, then makes them all ready again; returns µs per message.</summary>
    private static double Drain(SqliteConnection connection, Func<long, int> receive)
    {
        var clock = Stopwatch.StartNew();
        var received = 0;
        var token = 1L;
        while (true)
        {
            var got = receive(token++);
            if (got == 0) break;
            received += got;
        }
        var elapsed = clock.Elapsed;
        if (received != Rows) throw new InvalidOperationException($"received {received} of {Rows} rows");
        Execute(connection, "UPDATE messages SET visible_at = id, lease_token = NULL");
        return elapsed.TotalMicroseconds / received;
    }

    /// <summary>The commands of both ways, prepared once and reused, as the broker's session does.</summary>
    private sealed class Statements : IDisposable
    {
        private readonly SqliteCommand _begin;
        private readonly SqliteCommand _commit;
        private readonly SqliteCommand _ready;
        private readonly SqliteCommand _leaseById;
        private readonly SqliteCommand _returning;
        private readonly List<(long Id, int Deliveries)> _rows = new(Batch);

        public Statements(SqliteConnection connection)
        {
            _begin = Prepare(connection, "BEGIN IMMEDIATE");
            _commit = Prepare(connection, "COMMIT");
            _ready = Prepare(connection, ReadySql, "$queue", "$now", "$max");
            _leaseById = Prepare(connection, LeaseByIdSql, "$until", "$token", "$deliveries", "$id");
            _returning = Prepare(connection, ReturningSql, "$until", "$token", "$queue", "$now", "$max");
        }

        public int ReadThenLease(long token)
        {
            _begin.ExecuteNonQuery();
            _ready.Parameters[0].Value = "default";
            _ready.Parameters[1].Value = long.MaxValue / 2;
            _ready.Parameters[2].Value = Batch;
            _rows.Clear();
            using (var reader = _ready.ExecuteReader())
            {
                while (reader.Read())
                {
                    if (reader.GetString(3) is not ("blob" or "text")) throw new InvalidOperationException("a body that is not bytes");
                    _ = reader.GetFieldValue<byte[]>(1);
                    var before = reader.GetInt64(2);
                    _rows.Add((reader.GetInt64(0), before <= 0 ? 1 : (int)Math.Min(before, int.MaxValue - 1) + 1));
                }
            }
            _leaseById.Parameters[0].Value = long.MaxValue;
            _leaseById.Parameters[1].Value = token;
            foreach (var row in _rows)
            {
                _leaseById.Parameters[2].Value = row.Deliveries;
                _leaseById.Parameters[3].Value = row.Id;
                _leaseById.ExecuteNonQuery();
            }
            _commit.ExecuteNonQuery();
            return _rows.Count;
        }

        public int Returning(long token)
        {
            _begin.ExecuteNonQuery();
            _returning.Parameters[0].Value = long.MaxValue;
            _returning.Parameters[1].Value = token;
            _returning.Parameters[2].Value = "default";
            _returning.Parameters[3].Value = long.MaxValue / 2;
            _returning.Parameters[4].Value = Batch;
            var count = 0;
            using (var reader = _returning.ExecuteReader())
            {
                while (reader.Read())
                {
                    _ = reader.GetFieldValue<byte[]>(1);
                    _ = reader.GetInt64(0);
                    count++;
                }
            }
            _commit.ExecuteNonQuery();
            return count;
        }

        private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
        {
            var command = new SqliteCommand(sql, connection);
            foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
            command.Prepare();
            return command;
        }

        public void Dispose()
        {
            foreach (var command in new[] { _begin, _commit, _ready, _leaseById, _returning }) command.Dispose();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = new SqliteCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
