using Celeriac.Hosting;
using Celeriac.Sqlite;

namespace Celeriac.EndToEnd.Tests;

/// <summary>A test's world on the embedded SQLite broker: the broker file in the scenario's directory, shared by the producer and the workers.</summary>
public sealed class Scenario() : WorkerProcessScenario("sqlite", directory => c => c.UseSqliteBroker(o => o.Path = Path.Combine(directory, "celeriac.db")))
{
    public string BrokerPath => Path.Combine(Directory, "celeriac.db");

    protected override IReadOnlyDictionary<string, string> BrokerEnvironment => new Dictionary<string, string>();

    protected override IEnumerable<string> BrokerArguments => ["--db", BrokerPath];
}
