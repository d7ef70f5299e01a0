using Celeriac.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Sqlite.Tests;

/// <summary>The store contract on SQLite; the stores of one test share one file, as processes on one machine would.</summary>
public sealed class SqliteTaskStoreContractTests : TaskStoreContractTests
{
    private readonly TempDatabase _database = new();

    protected override IServiceProvider CreateStore() =>
        new ServiceCollection().AddLogging().AddCeleriac(c => c.UseSqliteStore(o => o.Path = _database.Path)).BuildServiceProvider();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Dispose();
    }
}
