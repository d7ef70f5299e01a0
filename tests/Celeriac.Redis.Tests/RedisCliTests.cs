using Celeriac.Cli;

namespace Celeriac.Redis.Tests;

/// <summary>The celeriac CLI against the Redis broker and store (configured as through the environment).</summary>
public sealed class RedisCliTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private readonly RedisBrokerOptions _options = redis.NewOptions();

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var settings = new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Redis:ConnectionString"] = _options.ConnectionString,
            ["Celeriac:Broker:Redis:KeyPrefix"] = _options.KeyPrefix,
        };
        var code = await CliApp.InvokeAsync(["--broker", "redis", .. args], output, error, settings);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Enqueue_inspect_revoke_by_name_and_purge_work_on_redis()
    {
        var (code, id, error) = await RunAsync("enqueue", "demo.record", "--args", """{"milliseconds": 1}""", "--queue", "default");
        Assert.True(code == 0, error);
        Assert.True(Guid.TryParse(id.Trim(), out _), id);
        await RunAsync("enqueue", "demo.record", "--args", """{"milliseconds": 1}""", "--queue", "default", "--countdown", "3600");

        var (inspectCode, inspect, inspectError) = await RunAsync("inspect");
        Assert.True(inspectCode == 0, inspectError);
        Assert.Matches(@"default\s+1\s+0\s+1\s+0", inspect);

        Assert.Equal(0, (await RunAsync("revoke", "--task", "demo.record")).Code);
        Assert.Equal(0, (await RunAsync("revoke", id.Trim())).Code);
        var (_, revoked, _) = await RunAsync("inspect");
        Assert.Contains("revoked task ids: 1", revoked);
        Assert.Contains("revoked task name: demo.record", revoked);

        var (purgeCode, purged, _) = await RunAsync("purge", "default", "--yes");
        Assert.Equal(0, purgeCode);
        Assert.Contains("Purged 2 messages", purged);
        Assert.Equal(1, (await RunAsync("result", id.Trim())).Code);
    }
}
