using Microsoft.Data.Sqlite;

namespace Celeriac.Sqlite.Store;

/// <summary>
/// The store's SQLite file, shared by the worker processes of one machine and by every store feature
/// (<c>RateLimits/</c>, <c>Locks/</c>, ...): one connection, and each operation one <c>BEGIN IMMEDIATE</c> transaction,
/// so processes never interleave inside one. A feature's tables sit beside the broker's and are created on first use.
/// </summary>
public sealed class SqliteStoreDatabase : IDisposable
{
    private readonly string _connectionString;
    private readonly TimeSpan _busyTimeout;
    private readonly Lock _lock = new();
    private readonly HashSet<string> _created = new(StringComparer.Ordinal);
    private SqliteSession? _session;
    private bool _disposed;

    public SqliteStoreDatabase(string path, TimeSpan busyTimeout, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        SQLitePCL.Batteries_V2.Init();
        _busyTimeout = busyTimeout;
        Path = path;
        Time = timeProvider ?? TimeProvider.System;
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = false,
        }.ToString();
    }

    public string Path { get; }

    public TimeProvider Time { get; }

    /// <summary>The file beside this one whose name adds <paramref name="suffix"/>, with the same settings (the task index's).</summary>
    public SqliteStoreDatabase Beside(string suffix) => new(Path + suffix, _busyTimeout, Time);

    public long NowMillis => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction, after creating <paramref name="tables"/> (a feature's
    /// <c>CREATE TABLE IF NOT EXISTS</c> statements) the first time that feature writes.
    /// </summary>
    internal T Write<T>(IReadOnlyList<string> tables, Func<SqliteSession, T> work)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _session ??= new SqliteSession(_connectionString, _busyTimeout, waitsForWriteLock: true);
            try
            {
                var missing = tables.Where(t => !_created.Contains(t)).ToList();
                if (missing.Count > 0)
                {
                    _session.InTransaction(s =>
                    {
                        foreach (var table in missing) s.Execute(table);
                        return 0;
                    });
                    _created.UnionWith(missing);
                }
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
