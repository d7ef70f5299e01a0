using Celeriac.Hosting;

namespace Celeriac.Sqlite;

/// <summary>What the broker's and the store's options have in common: a file that other processes can open, and a busy timeout.</summary>
internal static class SqliteFileRules
{
    public static void Check(string? path, TimeSpan busyTimeout, OptionsCheck check)
    {
        check.Required(path, "Path");
        if (path is not null && path.Trim().Equals(":memory:", StringComparison.OrdinalIgnoreCase))
            check.Fail("Path", "is ':memory:', a database private to one connection; use the in-memory broker or store instead.");
        check.NotNegative(busyTimeout, "BusyTimeout");
    }
}
