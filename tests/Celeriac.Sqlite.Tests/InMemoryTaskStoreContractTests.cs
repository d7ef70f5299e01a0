using Celeriac.Stores;
using Celeriac.Testing;

namespace Celeriac.Sqlite.Tests;

/// <summary>The store contract on the in-memory store; the "stores" of one test are one instance, as in one process.</summary>
public sealed class InMemoryTaskStoreContractTests : TaskStoreContractTests
{
    private readonly InMemoryTaskStore _store = new();

    protected override object CreateStore() => _store;
}
