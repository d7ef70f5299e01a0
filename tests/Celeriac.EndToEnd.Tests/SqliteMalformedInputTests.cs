
namespace Celeriac.EndToEnd.Tests;

/// <summary>Bad input written straight into the embedded SQLite broker, between good tasks, with a real worker process.</summary>
public sealed class SqliteMalformedInputTests : MalformedInputTests
{
    protected override WorkerProcessScenario NewScenario() => new Scenario();
}
