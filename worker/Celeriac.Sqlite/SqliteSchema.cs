using System.Globalization;

namespace Celeriac.Sqlite;

/// <summary>
/// The tables of a broker file, created on open by whichever process gets there first. The version
/// lives in <c>PRAGMA user_version</c>; a file from a newer release is refused rather than misread.
/// </summary>
internal static class SqliteSchema
{
    public const int Version = 1;

    // visible_at (Unix ms) is when a row may be received: its send time, its NotBefore, its release
    // time or, while leased, its lease expiry. lease_token is set by the receive that leased it and
    // cleared on release; a row is in flight while lease_token is set and visible_at is in the future.
    private static readonly string[] Statements =
    [
        """
        CREATE TABLE IF NOT EXISTS messages (
            id INTEGER PRIMARY KEY,
            queue TEXT NOT NULL,
            body BLOB NOT NULL,
            visible_at INTEGER NOT NULL,
            lease_token INTEGER,
            deliveries INTEGER NOT NULL DEFAULT 0
        )
        """,
        "CREATE INDEX IF NOT EXISTS messages_receive ON messages (queue, visible_at, id, lease_token)",
        "CREATE TABLE IF NOT EXISTS queues (name TEXT PRIMARY KEY) WITHOUT ROWID",
        """
        CREATE TABLE IF NOT EXISTS dead_letters (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            queue TEXT NOT NULL,
            body BLOB NOT NULL,
            reason TEXT NOT NULL,
            dead_lettered_at INTEGER NOT NULL,
            deliveries INTEGER NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS dead_letters_queue ON dead_letters (queue, id)",
    ];

    public static void Ensure(SqliteSession session, string path)
    {
        if (!string.Equals(session.Scalar("PRAGMA journal_mode = WAL") as string, "wal", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"The SQLite broker file '{path}' cannot use write-ahead logging (is it on a network file system?).");
        if (CurrentVersion(session) == Version) return;
        session.InTransaction(s =>
        {
            var version = CurrentVersion(s);
            if (version > Version)
                throw new NotSupportedException($"The SQLite broker file '{path}' has schema version {version}; this release understands up to {Version}.");
            foreach (var statement in Statements) s.Execute(statement);
            s.Execute(string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {Version}"));
            return 0;
        });
    }

    private static long CurrentVersion(SqliteSession session) => (long)session.Scalar("PRAGMA user_version")!;
}
