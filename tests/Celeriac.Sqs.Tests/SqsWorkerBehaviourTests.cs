using Celeriac.Sqs.Tests.Infrastructure;

namespace Celeriac.Sqs.Tests;

/// <summary>Real worker processes on SQS: SIGKILL, hard time limit, SIGTERM drain, retries and dead letters.</summary>
public sealed class SqsWorkerBehaviourTests(SqsEmulator emulator) : WorkerProcessBehaviourTests, IClassFixture<SqsEmulator>
{
    protected override WorkerProcessScenario NewScenario() => new SqsScenario(emulator);
}
