using Celeriac.Sqs.Tests.Infrastructure;

namespace Celeriac.Sqs.Tests;

/// <summary>
/// The live view on SQS (the emulator) with the store in a real redis-server, the way a cluster on SQS runs: real worker
/// processes and the CLI configured as through the environment.
/// </summary>
public sealed class SqsLiveViewProcessTests(SqsEmulator emulator) : LiveViewProcessTests, IClassFixture<SqsEmulator>, IAsyncLifetime
{
    private RedisServer? _store;

    public async Task InitializeAsync() => _store = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null) await _store.DisposeAsync();
    }

    protected override WorkerProcessScenario NewScenario() => new SqsScenario(emulator, _store);

    protected override Task<(int Code, string Out, string Err)> RunCliAsync(WorkerProcessScenario scenario, string[] args) =>
        ((SqsScenario)scenario).CliAsync(args);
}
