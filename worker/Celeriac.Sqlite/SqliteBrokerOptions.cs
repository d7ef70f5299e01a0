namespace Celeriac.Sqlite;

/// <summary>Settings of the embedded SQLite broker, bound from <c>Celeriac:Broker:Sqlite</c>.</summary>
public sealed class SqliteBrokerOptions
{
    /// <summary>The database file; relative paths resolve against the working directory. Every process that shares it shares the queues.</summary>
    public string Path { get; set; } = "celeriac.db";

    /// <summary>
    /// While a receive waits, how often the file is checked for commits by other processes (a cheap
    /// <c>PRAGMA data_version</c>, not a query). Sends from this process wake a waiting receive at once;
    /// this bounds the enqueue-to-start latency across processes.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>How long a write waits for another process that holds the file's write lock before it fails.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
