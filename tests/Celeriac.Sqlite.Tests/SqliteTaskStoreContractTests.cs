using Celeriac.Testing;

namespace Celeriac.Sqlite.Tests;

/// <summary>The store contract on SQLite; the stores of one test share one file, as processes on one machine would.</summary>
public sealed class SqliteTaskStoreContractTests : TaskStoreContractTests
{
    private readonly TempDatabase _database = new();

    protected override object CreateStore() => new SqliteTaskStore(new SqliteBrokerOptions { Path = _database.Path });

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Dispose();
    }
}
