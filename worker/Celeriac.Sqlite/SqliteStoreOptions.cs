namespace Celeriac.Sqlite;

/// <summary>Settings of a SQLite store chosen by <c>Celeriac:Store:Type</c>, bound from <c>Celeriac:Store:Sqlite</c>.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The database file; relative paths resolve against the working directory. Every process that shares it shares the store.</summary>
    public string Path { get; set; } = "celeriac.db";

    /// <summary>How long a write waits for another process that holds the file's write lock before it fails.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
