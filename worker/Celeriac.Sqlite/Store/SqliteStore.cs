using Celeriac.Hosting;
using Celeriac.Sqlite.Control;
using Celeriac.Sqlite.FanOut;
using Celeriac.Sqlite.Locks;
using Celeriac.Sqlite.RateLimits;
using Celeriac.Sqlite.Registry;
using Celeriac.Sqlite.Results;
using Celeriac.Sqlite.Revocation;
using Celeriac.Sqlite.TaskIndex;
using Celeriac.Sqlite.Workflows;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Sqlite.Store;

/// <summary>
/// The SQLite store's features, over the one <see cref="SqliteStoreDatabase"/> registered in the container; the task index in
/// a file of its own beside it (<see cref="SqliteTaskIndex.FileSuffix"/>), so that its appends and their checkpoints never
/// hold or slow the file the broker and the other features write.
/// </summary>
public static class SqliteStore
{
    public static StoreServices Services { get; } = new(
        sp => new SqliteRateLimiter(Database(sp)),
        sp => new SqliteTaskLockStore(Database(sp)),
        sp => new SqliteResultStore(Database(sp)),
        sp => new SqliteRevocationStore(Database(sp)),
        sp => new SqliteWorkflowStore(Database(sp)),
        sp => new SqliteFanOutProgressStore(Database(sp)),
        sp => new SqliteWorkerRegistry(Database(sp)),
        sp => new SqliteControlStore(Database(sp)),
        sp => new SqliteTaskIndex(Database(sp).Beside(SqliteTaskIndex.FileSuffix), ownsDatabase: true));

    private static SqliteStoreDatabase Database(IServiceProvider services) => services.GetRequiredService<SqliteStoreDatabase>();
}
