namespace Celeriac.Sqlite.Tests;

/// <summary>A database path of its own in the temp directory; deletes the file, its WAL companions and the task index's file on dispose.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "celeriac-tests");
        Directory.CreateDirectory(directory);
        Path = System.IO.Path.Combine(directory, $"{Guid.NewGuid():N}.db");
    }

    public string Path { get; }

    public SqliteBroker Open(TimeSpan? pollInterval = null) =>
        new(new SqliteBrokerOptions { Path = Path, PollInterval = pollInterval ?? TimeSpan.FromMilliseconds(2) });

    public void Dispose()
    {
        foreach (var suffix in (string[])["", "-wal", "-shm", "-journal", "-index", "-index-wal", "-index-shm"])
        {
            try { File.Delete(Path + suffix); }
            catch (IOException) { }
        }
    }
}
