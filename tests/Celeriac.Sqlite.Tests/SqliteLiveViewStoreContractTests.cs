using Celeriac.Hosting;
using Celeriac.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Sqlite.Tests;

/// <summary>The registry, control and index contract on SQLite; the providers of one test share one new file, as processes would.</summary>
public sealed class SqliteLiveViewStoreContractTests : LiveViewStoreContractTests
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
