using Celeriac.Hosting;
using Celeriac.Sqlite.FanOut;
using Celeriac.Sqlite.Locks;
using Celeriac.Sqlite.RateLimits;
using Celeriac.Sqlite.Results;
using Celeriac.Sqlite.Revocation;
using Celeriac.Sqlite.Workflows;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Sqlite.Store;

/// <summary>The SQLite store's features, over the one <see cref="SqliteStoreDatabase"/> registered in the container.</summary>
public static class SqliteStore
{
    public static StoreServices Services { get; } = new(
        sp => new SqliteRateLimiter(Database(sp)),
        sp => new SqliteTaskLockStore(Database(sp)),
        sp => new SqliteResultStore(Database(sp)),
        sp => new SqliteRevocationStore(Database(sp)),
        sp => new SqliteWorkflowStore(Database(sp)),
        sp => new SqliteFanOutProgressStore(Database(sp)));

    private static SqliteStoreDatabase Database(IServiceProvider services) => services.GetRequiredService<SqliteStoreDatabase>();
}
