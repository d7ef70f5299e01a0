namespace Celeriac.EndToEnd.Tests;

/// <summary>
/// Real worker processes on the embedded SQLite broker: the shared process behaviour (SIGKILL, hard time limit, SIGTERM
/// drain, retries and dead letters) that every broker runs, on one broker file shared by the producer and the workers.
/// </summary>
public sealed class SqliteWorkerBehaviourTests : WorkerProcessBehaviourTests
{
    protected override WorkerProcessScenario NewScenario() => new Scenario();
}
