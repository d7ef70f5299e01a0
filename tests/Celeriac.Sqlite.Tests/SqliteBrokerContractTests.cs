using Celeriac.Brokers;

namespace Celeriac.Sqlite.Tests;

/// <summary>The broker contract on SQLite; the brokers of one test share one file, as processes on one machine would.</summary>
public sealed class SqliteBrokerContractTests : BrokerContractTests
{
    private readonly TempDatabase _database = new();

    protected override IBroker CreateBroker() => _database.Open();

    protected override ValueTask CleanupAsync()
    {
        _database.Dispose();
        return ValueTask.CompletedTask;
    }
}
