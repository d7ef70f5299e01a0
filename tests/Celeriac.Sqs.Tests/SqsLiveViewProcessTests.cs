using Celeriac.Cli;
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

    protected override async Task<(int Code, string Out, string Err)> RunCliAsync(WorkerProcessScenario scenario, string[] args)
    {
        var sqs = (SqsScenario)scenario;
        var settings = new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Sqs:QueueUrlPrefix"] = sqs.Prefix,
            ["Celeriac:Broker:Sqs:AutoCreateQueues"] = "true",
            ["Celeriac:Broker:Sqs:Endpoint"] = emulator.Endpoint,
            ["Celeriac:Broker:Sqs:Region"] = "us-east-1",
            ["Celeriac:Broker:Sqs:AccessKeyId"] = "test",
            ["Celeriac:Broker:Sqs:SecretAccessKey"] = "test",
        };
        foreach (var (name, value) in sqs.StoreEnvironment) settings[name.Replace("__", ":", StringComparison.Ordinal)] = value;
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApp.InvokeAsync(["--broker", "sqs", .. args], output, error, settings);
        return (code, output.ToString(), error.ToString());
    }
}
