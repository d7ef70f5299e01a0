using Celeriac.Cli;
using Celeriac.Testing;

namespace Celeriac.Redis.Tests;

/// <summary>The live view on a real redis-server (broker and store), with real worker processes and the CLI configured as through the environment.</summary>
public sealed class RedisLiveViewProcessTests(RedisServerFixture redis) : LiveViewProcessTests, IClassFixture<RedisServerFixture>
{
    protected override WorkerProcessScenario NewScenario() => new RedisScenario(redis.NewOptions());

    protected override async Task<(int Code, string Out, string Err)> RunCliAsync(WorkerProcessScenario scenario, string[] args)
    {
        var options = ((RedisScenario)scenario).Options;
        var settings = new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Redis:ConnectionString"] = options.ConnectionString,
            ["Celeriac:Broker:Redis:KeyPrefix"] = options.KeyPrefix,
        };
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliApp.Create(output, error, settings).Parse(["--broker", "redis", .. args]).InvokeAsync();
        return (code, output.ToString(), error.ToString());
    }
}
