using Celeriac.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Tests;

/// <summary>The registry, control and index contract on the in-memory store: one provider per test, as in one process.</summary>
public sealed class InMemoryLiveViewStoreContractTests : LiveViewStoreContractTests
{
    private readonly ServiceProvider _store = new ServiceCollection().AddLogging().AddCeleriac(c => c.UseInMemoryStore()).BuildServiceProvider();

    protected override IServiceProvider CreateStore() => _store;
}
