using Celeriac.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Tests;

/// <summary>The store contract on the in-memory store; the "stores" of one test are one provider, as in one process.</summary>
public sealed class InMemoryTaskStoreContractTests : TaskStoreContractTests
{
    private readonly ServiceProvider _store = new ServiceCollection().AddLogging().AddCeleriac(c => c.UseInMemoryStore()).BuildServiceProvider();

    protected override IServiceProvider CreateStore() => _store;
}
