using System.Globalization;
using System.Runtime.InteropServices;
using Celeriac.Brokers;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Celeriac.Sqlite;

/// <summary>
/// The embedded broker: one SQLite file in WAL mode that several worker processes on one machine can
/// share. A receive leases rows with a fresh token inside one <c>BEGIN IMMEDIATE</c> transaction; ack,
/// extend, release and dead-letter only touch a row that still carries that token, so a stale receipt
/// is ignored. A waiting receive wakes at once on a send from this process, and within a poll interval
/// on a commit by another (see <see cref="SqliteChangeWatcher"/>).
/// Rows written by anyone else are read one by one: a body that is neither BLOB nor TEXT is dead-lettered with the
/// reason, a deliveries value that is not an integer counts as none, and a row whose visible_at is not a time (TEXT,
/// BLOB, or after the year 9999, so never due) is dead-lettered when a receive finds its queue idle; every other row
/// of the same receive is delivered.
/// </summary>
public sealed partial class SqliteBroker : IBroker, IBrokerAdmin, IDisposable
{
    private const string InsertQueueSql = "INSERT OR IGNORE INTO queues (name) VALUES ($queue)";
    private const string InsertSql = "INSERT INTO messages (queue, body, visible_at) VALUES ($queue, $body, $visible_at)";
    // The first and the last visible_at of a queue, two index seeks: numbers sort before TEXT and BLOB in SQLite, so the
    // last one tells whether the queue holds rows that would never be due.
    private const string BoundsSql = """
        SELECT (SELECT visible_at FROM messages WHERE queue = $queue ORDER BY visible_at LIMIT 1),
               (SELECT visible_at FROM messages WHERE queue = $queue ORDER BY visible_at DESC LIMIT 1)
        """;
    private const string NeverDueSql = "SELECT id, visible_at FROM messages WHERE queue = $queue AND visible_at > $latest LIMIT 100";
    // Read then lease row by row inside one BEGIN IMMEDIATE transaction, which no other process can
    // interleave with. UPDATE ... WHERE id IN (subquery) RETURNING would be one statement, but it costs
    // about twice as much per message, on SQLite 3.35 and 3.53 alike (make bench ARGS="--sqlite --receive-only").
    // CAST gives a TEXT body's bytes as they are stored (a BLOB's are untouched); a deliveries value that is not an integer counts as none.
    private const string ReadySql = """
        SELECT id, CAST(body AS BLOB), CASE typeof(deliveries) WHEN 'integer' THEN deliveries ELSE 0 END, typeof(body) FROM messages
        WHERE queue = $queue AND visible_at <= $now ORDER BY visible_at, id LIMIT $max
        """;
    private const string LeaseSql = "UPDATE messages SET visible_at = $until, lease_token = $token, deliveries = $deliveries WHERE id = $id";
    private const string AckSql = "DELETE FROM messages WHERE id = $id AND lease_token = $token";
    private const string ExtendSql = "UPDATE messages SET visible_at = $until WHERE id = $id AND lease_token = $token";
    private const string ReleaseSql = "UPDATE messages SET visible_at = $visible_at, lease_token = NULL WHERE id = $id AND lease_token = $token";
    private const string DeadLetterCopySql = """
        INSERT INTO dead_letters (queue, body, reason, dead_lettered_at, deliveries)
        SELECT queue, CAST(body AS BLOB), $reason, $now, deliveries FROM messages WHERE id = $id AND lease_token = $token
        """;
    // A row that cannot be delivered, dead-lettered by the receive that found it.
    private const string DeadLetterRowSql = """
        INSERT INTO dead_letters (queue, body, reason, dead_lettered_at, deliveries)
        SELECT queue, CAST(body AS BLOB), $reason, $now, CASE typeof(deliveries) WHEN 'integer' THEN deliveries ELSE 0 END FROM messages WHERE id = $id
        """;
    private const string DeleteRowSql = "DELETE FROM messages WHERE id = $id";
    private const string DepthSql = """
        SELECT coalesce(sum(visible_at <= $now), 0),
               coalesce(sum(visible_at > $now AND lease_token IS NOT NULL), 0),
               coalesce(sum(visible_at > $now AND lease_token IS NULL), 0)
        FROM messages WHERE queue = $queue
        """;
    // A ready row's visible_at is when it became receivable: sent, due, released or its lease expired.
    private const string OldestReadySql = "SELECT min(visible_at) FROM messages WHERE queue = $queue AND visible_at <= $now";
    private const string ListQueuesSql = "SELECT name FROM queues ORDER BY name";
    // Ready (an expired lease included) and delayed rows; a leased row is running and finishes or returns.
    private const string PurgeMessagesSql = "DELETE FROM messages WHERE queue = $queue AND (lease_token IS NULL OR visible_at <= $now)";
    private const string PurgeQueueSql = "DELETE FROM queues WHERE name = $queue AND NOT EXISTS (SELECT 1 FROM messages WHERE queue = $queue)";
    // The latest time a DateTimeOffset holds (9999-12-31T23:59:59.999Z): a row visible later is never due.
    private const long LatestTime = 253402300799999;
    private const string ListDeadLettersSql = "SELECT id, queue, body, reason, dead_lettered_at FROM dead_letters ORDER BY id LIMIT $limit";
    private const string ListQueueDeadLettersSql = "SELECT id, queue, body, reason, dead_lettered_at FROM dead_letters WHERE queue = $queue ORDER BY id LIMIT $limit";
    private const string DeleteDeadLetterSql = "DELETE FROM dead_letters WHERE id = $id";

    private readonly string _path;
    private readonly string _connectionString;
    private readonly TimeSpan _busyTimeout;
    private readonly TimeProvider _time;
    private readonly SqliteChangeWatcher _watcher;
    private readonly ILogger _logger;

    // One connection for writes and one for reads, each used by one caller at a time. Writers of this
    // process queue on the lock instead of spinning in SQLite's busy handler; other processes are kept
    // out by SQLite's file lock. Reads never block writes in WAL mode.
    private readonly Lock _writeLock = new();
    private readonly Lock _readLock = new();
    private SqliteSession? _writer;
    private SqliteSession? _reader;
    private bool _disposed;
    private bool _hot;
    private TaskCompletionSource _changed = NewSignal();

    public SqliteBroker(SqliteBrokerOptions options, TimeProvider? timeProvider = null, ILogger<SqliteBroker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Registered through UseSqliteBroker, the same rules already ran when the host started.
        SqliteBrokerOptionsValidator.Instance.ThrowIfInvalid(options);

        SQLitePCL.Batteries_V2.Init();
        _path = options.Path;
        _busyTimeout = options.BusyTimeout;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(_path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString();

        try
        {
            Write(session =>
            {
                SqliteSchema.Ensure(session, _path);
                return 0;
            });
        }
        catch
        {
            _writer?.Dispose();
            throw;
        }
        _watcher = new SqliteChangeWatcher(_connectionString, _busyTimeout, options.PollInterval, Signal);
    }

    public SqliteBroker(string path, TimeProvider? timeProvider = null)
        : this(new SqliteBrokerOptions { Path = path }, timeProvider)
    {
    }

    /// <summary>The database file this broker uses.</summary>
    public string Path => _path;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public ValueTask SendAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        if (messages.Count == 0) return ValueTask.CompletedTask;
        foreach (var message in messages) ArgumentException.ThrowIfNullOrEmpty(message.Queue, nameof(messages));

        var now = Now;
        Write(session => session.InTransaction(s =>
        {
            var insertQueue = s.Command(InsertQueueSql, "$queue");
            var insert = s.Command(InsertSql, "$queue", "$body", "$visible_at");
            string? lastQueue = null;
            foreach (var message in messages)
            {
                if (!string.Equals(message.Queue, lastQueue, StringComparison.Ordinal))
                {
                    insertQueue.Parameters[0].Value = message.Queue;
                    insertQueue.ExecuteNonQuery();
                    lastQueue = message.Queue;
                }
                insert.Parameters[0].Value = message.Queue;
                insert.Parameters[1].Value = ToArray(message.Body);
                insert.Parameters[2].Value = message.NotBefore?.ToUnixTimeMilliseconds() ?? now;
                insert.ExecuteNonQuery();
            }
            return 0;
        }));
        Signal();
        return ValueTask.CompletedTask;
    }

    public async ValueTask<IReadOnlyList<BrokerMessage>> ReceiveAsync(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
    {
        ReceiveArguments.Check(queues, maxMessages, lease, cancellationToken);

        var started = _time.GetTimestamp();
        var watching = false;
        try
        {
            while (true)
            {
                // Taken before looking, so a commit after the look still wakes this wait: sends of this
                // instance complete it directly, commits of other processes through the change watcher.
                var changed = Volatile.Read(ref _changed).Task;
                var received = TryReceive(queues, maxMessages, lease, out var nextVisible);
                if (received.Count > 0) return received;

                var remaining = wait - _time.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero) return [];
                if (!watching)
                {
                    _watcher.EnterWait();
                    watching = true;
                }
                var sleep = remaining;
                if (nextVisible != long.MaxValue)
                {
                    var untilVisible = TimeSpan.FromMilliseconds(Math.Max(1, nextVisible - Now));
                    if (untilVisible < sleep) sleep = untilVisible;
                }
                await Task.WhenAny(changed, Task.Delay(sleep, _time, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            if (watching) _watcher.ExitWait();
        }
    }

    /// <summary>Leases what is ready, queue by queue in the order given; otherwise reports when the next row becomes visible.</summary>
    private List<BrokerMessage> TryReceive(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, out long nextVisible)
    {
        var now = Now;
        // While messages keep coming, go straight to the write transaction: the read that finds out
        // whether anything is ready only pays off when the queues are empty.
        var hot = Volatile.Read(ref _hot);
        var readyQueues = new List<string>(queues.Count);
        List<string>? neverDue = null;
        if (hot)
        {
            readyQueues.AddRange(queues);
            nextVisible = long.MaxValue;
        }
        else
        {
            nextVisible = Read(session =>
            {
                var next = long.MaxValue;
                var bounds = session.Command(BoundsSql, "$queue");
                foreach (var queue in queues)
                {
                    bounds.Parameters[0].Value = queue;
                    using var reader = bounds.ExecuteReader();
                    if (!reader.Read() || reader.IsDBNull(0)) continue;
                    if (!IsTime(reader.GetValue(1))) (neverDue ??= []).Add(queue);
                    switch (reader.GetValue(0))
                    {
                        case long first when first <= now:
                        case double real when real <= now:
                            readyQueues.Add(queue);
                            break;
                        case long first when first <= LatestTime:
                            next = Math.Min(next, first);
                            break;
                        case double real when real <= LatestTime:
                            next = Math.Min(next, (long)Math.Ceiling(real));
                            break;
                    }
                }
                return next;
            });
        }
        var received = new List<BrokerMessage>();
        if (readyQueues.Count == 0 && neverDue is null) return received;

        var until = now + (long)Math.Ceiling(lease.TotalMilliseconds);
        List<(string Queue, long Id, string Reason)>? rejected = null;
        Write(session => session.InTransaction(s =>
        {
            if (neverDue is not null) RejectNeverDue(s, neverDue, ref rejected);
            var ready = s.Command(ReadySql, "$queue", "$now", "$max");
            var take = s.Command(LeaseSql, "$until", "$token", "$deliveries", "$id");
            foreach (var queue in readyQueues)
            {
                var max = maxMessages - received.Count;
                if (max <= 0) break;
                var first = received.Count;
                var token = Random.Shared.NextInt64(1, long.MaxValue);
                ready.Parameters[0].Value = queue;
                ready.Parameters[1].Value = now;
                ready.Parameters[2].Value = max;
                using (var reader = ready.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        var id = reader.GetInt64(0);
                        if (ReadRow(reader, out var body, out var deliveries) is { } problem)
                        {
                            (rejected ??= []).Add((queue, id, problem));
                            continue;
                        }
                        var receipt = new SqliteReceipt(id, token);
                        received.Add(new BrokerMessage
                        {
                            Queue = queue,
                            Body = body,
                            Receipt = receipt.ToString(),
                            DeliveryCount = deliveries,
                            BrokerState = receipt,
                        });
                    }
                }
                take.Parameters[0].Value = until;
                take.Parameters[1].Value = token;
                for (var i = first; i < received.Count; i++)
                {
                    take.Parameters[2].Value = received[i].DeliveryCount;
                    take.Parameters[3].Value = ((SqliteReceipt)received[i].BrokerState!).Id;
                    take.ExecuteNonQuery();
                }
            }
            if (rejected is not null) DeadLetterRows(s, rejected, now);
            return 0;
        }));
        if (rejected is not null)
            foreach (var (queue, id, reason) in rejected) LogRowRejected(id, queue, reason);
        Volatile.Write(ref _hot, received.Count > 0);
        // Nothing delivered, but rows were dead-lettered: more may be ready behind them (each pass removes some, so this ends).
        if (received.Count == 0 && (hot || rejected is not null)) return TryReceive(queues, maxMessages, lease, out nextVisible);
        return received;
    }

    /// <summary>
    /// Reads one ready row on its own: its body (a BLOB, or TEXT as stored) and its delivery count, this delivery
    /// included (a deliveries value that is not an integer was read as 0). Returns why the row cannot be delivered, or null.
    /// </summary>
    private static string? ReadRow(SqliteDataReader reader, out byte[] body, out int deliveries)
    {
        body = [];
        deliveries = 1;
        try
        {
            var type = reader.GetString(3);
            if (type is not ("blob" or "text"))
                return $"the message row's body is {type.ToUpperInvariant()}, not BLOB or TEXT";
            body = ReadBlob(reader, 1);
            var before = reader.GetInt64(2);
            deliveries = before <= 0 ? 1 : (int)Math.Min(before, int.MaxValue - 1) + 1;
            return null;
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException or InvalidOperationException)
        {
            return $"the message row cannot be read: {ex.Message}";
        }
    }

    private static bool IsTime(object value) => value switch
    {
        long time => time <= LatestTime,
        double time => time <= LatestTime,
        _ => false,
    };

    /// <summary>Finds the rows of <paramref name="queues"/> that would never be due (visible_at TEXT, BLOB or after the year 9999).</summary>
    private static void RejectNeverDue(SqliteSession session, List<string> queues, ref List<(string Queue, long Id, string Reason)>? rejected)
    {
        var find = session.Command(NeverDueSql, "$queue", "$latest");
        find.Parameters[1].Value = LatestTime;
        foreach (var queue in queues)
        {
            find.Parameters[0].Value = queue;
            using var reader = find.ExecuteReader();
            while (reader.Read())
            {
                var reason = reader.GetValue(1) switch
                {
                    long or double => $"the message row's visible_at ({Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture)}) is after the year 9999: it would never be due",
                    string text => $"the message row's visible_at is TEXT ('{(text.Length > 40 ? text[..40] + "…" : text)}'), not Unix milliseconds: it would never be due",
                    _ => "the message row's visible_at is a BLOB, not Unix milliseconds: it would never be due",
                };
                (rejected ??= []).Add((queue, reader.GetInt64(0), reason));
            }
        }
    }

    private static void DeadLetterRows(SqliteSession session, List<(string Queue, long Id, string Reason)> rows, long now)
    {
        var copy = session.Command(DeadLetterRowSql, "$reason", "$now", "$id");
        var delete = session.Command(DeleteRowSql, "$id");
        copy.Parameters[1].Value = now;
        foreach (var (_, id, reason) in rows)
        {
            copy.Parameters[0].Value = reason;
            copy.Parameters[2].Value = id;
            copy.ExecuteNonQuery();
            delete.Parameters[0].Value = id;
            delete.ExecuteNonQuery();
        }
    }

    public ValueTask AckAsync(IReadOnlyList<BrokerMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return ValueTask.CompletedTask;
        WriteEach(messages, AckSql, static (command, _) => command.ExecuteNonQuery());
        return ValueTask.CompletedTask;
    }

    public ValueTask ExtendLeaseAsync(IReadOnlyList<BrokerMessage> messages, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return ValueTask.CompletedTask;
        var until = Now + (long)Math.Ceiling(lease.TotalMilliseconds);
        WriteEach(messages, ExtendSql, (command, _) =>
        {
            command.Parameters[2].Value = until;
            command.ExecuteNonQuery();
        }, "$until");
        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(BrokerMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!SqliteReceipt.TryGet(message, out var receipt)) return ValueTask.CompletedTask;
        var visibleAt = Now + (delay > TimeSpan.Zero ? (long)Math.Ceiling(delay.TotalMilliseconds) : 0);
        var released = Write(session => session.InTransaction(s =>
        {
            var release = s.Command(ReleaseSql, "$visible_at", "$id", "$token");
            release.Parameters[0].Value = visibleAt;
            release.Parameters[1].Value = receipt.Id;
            release.Parameters[2].Value = receipt.Token;
            return release.ExecuteNonQuery();
        }));
        if (released > 0) Signal();
        return ValueTask.CompletedTask;
    }

    public ValueTask DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reason);
        if (!SqliteReceipt.TryGet(message, out var receipt)) return ValueTask.CompletedTask;
        var now = Now;
        Write(session => session.InTransaction(s =>
        {
            var copy = s.Command(DeadLetterCopySql, "$reason", "$now", "$id", "$token");
            copy.Parameters[0].Value = reason;
            copy.Parameters[1].Value = now;
            copy.Parameters[2].Value = receipt.Id;
            copy.Parameters[3].Value = receipt.Token;
            if (copy.ExecuteNonQuery() == 0) return 0;
            var delete = s.Command(AckSql, "$id", "$token");
            delete.Parameters[0].Value = receipt.Id;
            delete.Parameters[1].Value = receipt.Token;
            return delete.ExecuteNonQuery();
        }));
        return ValueTask.CompletedTask;
    }

    public ValueTask<QueueDepth> GetDepthAsync(string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        cancellationToken.ThrowIfCancellationRequested();
        var now = Now;
        return ValueTask.FromResult(Read(session =>
        {
            var depth = session.Command(DepthSql, "$now", "$queue");
            depth.Parameters[0].Value = now;
            depth.Parameters[1].Value = queue;
            using var reader = depth.ExecuteReader();
            reader.Read();
            return new QueueDepth(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }));
    }

    public ValueTask<TimeSpan?> GetOldestReadyAgeAsync(string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        cancellationToken.ThrowIfCancellationRequested();
        var now = Now;
        return ValueTask.FromResult(Read(session =>
        {
            var oldest = session.Command(OldestReadySql, "$now", "$queue");
            oldest.Parameters[0].Value = now;
            oldest.Parameters[1].Value = queue;
            return oldest.ExecuteScalar() is long since ? TimeSpan.FromMilliseconds(Math.Max(0, now - since)) : (TimeSpan?)null;
        }));
    }

    public ValueTask<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IReadOnlyList<string>>(Read(session =>
        {
            var names = new List<string>();
            using var reader = session.Command(ListQueuesSql).ExecuteReader();
            while (reader.Read()) names.Add(reader.GetString(0));
            return names;
        }));
    }

    public ValueTask<long> PurgeAsync(string queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Write(session => session.InTransaction(s =>
        {
            var purge = s.Command(PurgeMessagesSql, "$queue", "$now");
            purge.Parameters[0].Value = queue;
            purge.Parameters[1].Value = Now;
            long purged = purge.ExecuteNonQuery();
            var forget = s.Command(PurgeQueueSql, "$queue");
            forget.Parameters[0].Value = queue;
            forget.ExecuteNonQuery();
            return purged;
        })));
    }

    public ValueTask<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string? queue, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (limit <= 0) return ValueTask.FromResult<IReadOnlyList<DeadLetter>>([]);
        return ValueTask.FromResult<IReadOnlyList<DeadLetter>>(Read(session =>
        {
            SqliteCommand list;
            if (queue is null)
            {
                list = session.Command(ListDeadLettersSql, "$limit");
                list.Parameters[0].Value = limit;
            }
            else
            {
                list = session.Command(ListQueueDeadLettersSql, "$queue", "$limit");
                list.Parameters[0].Value = queue;
                list.Parameters[1].Value = limit;
            }
            var letters = new List<DeadLetter>();
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                letters.Add(new DeadLetter(
                    reader.GetInt64(0).ToString(CultureInfo.InvariantCulture),
                    reader.GetString(1),
                    ReadBlob(reader, 2),
                    reader.GetString(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
            }
            return letters;
        }));
    }

    public ValueTask<int> DeleteDeadLettersAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        cancellationToken.ThrowIfCancellationRequested();
        var rowIds = new List<long>(ids.Count);
        foreach (var id in ids)
        {
            if (long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var rowId)) rowIds.Add(rowId);
        }
        if (rowIds.Count == 0) return ValueTask.FromResult(0);
        return ValueTask.FromResult(Write(session => session.InTransaction(s =>
        {
            var delete = s.Command(DeleteDeadLetterSql, "$id");
            var deleted = 0;
            foreach (var rowId in rowIds.Distinct())
            {
                delete.Parameters[0].Value = rowId;
                deleted += delete.ExecuteNonQuery();
            }
            return deleted;
        })));
    }

    /// <summary>Runs one statement per message that this broker can identify, all in one transaction.</summary>
    private void WriteEach(IReadOnlyList<BrokerMessage> messages, string sql, Action<SqliteCommand, SqliteReceipt> execute, string? extraParameter = null)
    {
        Write(session =>
        {
            var command = extraParameter is null ? session.Command(sql, "$id", "$token") : session.Command(sql, "$id", "$token", extraParameter);
            return session.InTransaction(_ => Apply(command, messages, execute));
        });

        static int Apply(SqliteCommand command, IReadOnlyList<BrokerMessage> messages, Action<SqliteCommand, SqliteReceipt> execute)
        {
            foreach (var message in messages)
            {
                if (!SqliteReceipt.TryGet(message, out var receipt)) continue;
                command.Parameters[0].Value = receipt.Id;
                command.Parameters[1].Value = receipt.Token;
                execute(command, receipt);
            }
            return 0;
        }
    }

    private T Write<T>(Func<SqliteSession, T> work)
    {
        lock (_writeLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _writer ??= new SqliteSession(_connectionString, _busyTimeout, waitsForWriteLock: true);
            try
            {
                return work(_writer);
            }
            catch (SqliteException)
            {
                // A connection that failed mid-statement may hold a half-open transaction; start afresh.
                _writer.Dispose();
                _writer = null;
                throw;
            }
        }
    }

    private T Read<T>(Func<SqliteSession, T> work)
    {
        lock (_readLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _reader ??= new SqliteSession(_connectionString, _busyTimeout, waitsForWriteLock: false);
            try
            {
                return work(_reader);
            }
            catch (SqliteException)
            {
                _reader.Dispose();
                _reader = null;
                throw;
            }
        }
    }

    private void Signal() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private static byte[] ToArray(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : body.ToArray();

    private static byte[] ReadBlob(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : reader.GetFieldValue<byte[]>(ordinal);

    public void Dispose()
    {
        lock (_writeLock)
        {
            lock (_readLock)
            {
                if (_disposed) return;
                _disposed = true;
                _writer?.Dispose();
                _reader?.Dispose();
                _writer = _reader = null;
            }
        }
        _watcher.Dispose();
        Signal();
    }

    [LoggerMessage(LogLevel.Warning, "Dead-lettered message row {Id} of queue {Queue}, which cannot be delivered: {Reason}")]
    private partial void LogRowRejected(long id, string queue, string reason);
}
