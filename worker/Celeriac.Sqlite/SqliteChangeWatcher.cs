using Microsoft.Data.Sqlite;

namespace Celeriac.Sqlite;

/// <summary>
/// Notices commits by other processes while at least one receive is waiting: a background thread reads
/// <c>PRAGMA data_version</c> (which moves whenever another connection commits) every poll interval and
/// calls <c>onChange</c> when it moved. It is a thread and not a timer because timer-based delays on Linux
/// fire several milliseconds late, and the poll interval is what bounds cross-process enqueue-to-start
/// latency. The thread parks while nobody waits.
/// </summary>
internal sealed class SqliteChangeWatcher : IDisposable
{
    private readonly string _connectionString;
    private readonly TimeSpan _busyTimeout;
    private readonly TimeSpan _interval;
    private readonly Action _onChange;
    private readonly object _gate = new();
    private Thread? _thread;
    private int _waiting;
    private bool _disposed;

    public SqliteChangeWatcher(string connectionString, TimeSpan busyTimeout, TimeSpan interval, Action onChange)
    {
        _connectionString = connectionString;
        _busyTimeout = busyTimeout;
        _interval = interval;
        _onChange = onChange;
    }

    /// <summary>A receive starts waiting; pair with <see cref="ExitWait"/>.</summary>
    public void EnterWait()
    {
        if (Interlocked.Increment(ref _waiting) != 1) return;
        lock (_gate)
        {
            if (_disposed) return;
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "Celeriac SQLite change watcher" };
                _thread.Start();
            }
            Monitor.PulseAll(_gate);
        }
    }

    public void ExitWait() => Interlocked.Decrement(ref _waiting);

    private void Run()
    {
        SqliteSession? session = null;
        long? seen = null;
        try
        {
            while (true)
            {
                lock (_gate)
                {
                    while (!_disposed && Volatile.Read(ref _waiting) == 0) Monitor.Wait(_gate);
                    if (_disposed) return;
                }
                try
                {
                    session ??= new SqliteSession(_connectionString, _busyTimeout, waitsForWriteLock: false);
                    // Kept across parked periods, so a commit that lands while the thread wakes up is still seen;
                    // a fresh baseline wakes the waiters once, since what it hides is unknown.
                    var version = (long)session.Scalar("PRAGMA data_version")!;
                    if (seen != version) _onChange();
                    seen = version;
                }
                catch (Exception ex) when (ex is SqliteException or InvalidOperationException or IOException)
                {
                    session?.Dispose();
                    session = null;
                    seen = null;
                    _onChange();
                }
                lock (_gate)
                {
                    if (!_disposed) Monitor.Wait(_gate, _interval);
                }
            }
        }
        finally
        {
            session?.Dispose();
        }
    }

    public void Dispose()
    {
        Thread? thread;
        lock (_gate)
        {
            _disposed = true;
            thread = _thread;
            Monitor.PulseAll(_gate);
        }
        if (thread is not null && thread != Thread.CurrentThread) thread.Join(TimeSpan.FromSeconds(5));
    }
}
