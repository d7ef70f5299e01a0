using Celeriac.Sqs.Tests.Infrastructure;

namespace Celeriac.Sqs.Tests;

/// <summary>The celeriac CLI against the SQS broker (on the emulator), configured as through the environment.</summary>
public sealed class SqsCliTests(SqsEmulator emulator) : IClassFixture<SqsEmulator>
{
    private readonly string _prefix = emulator.NewPrefix();

    private Task<(int Code, string Out, string Err)> RunAsync(params string[] args) =>
        SqsTestBrokers.RunCliAsync(emulator, _prefix, new Dictionary<string, string>(), args);

    [Fact]
    public async Task Enqueue_inspect_and_purge_work_on_sqs_and_revoke_says_it_needs_a_shared_store()
    {
        var (code, id, error) = await RunAsync("enqueue", "demo.record", "--args", """{"milliseconds": 1}""", "--queue", "default");
        Assert.True(code == 0, error);
        Assert.True(Guid.TryParse(id.Trim(), out _), id);

        var (inspectCode, inspect, inspectError) = await RunAsync("inspect");
        Assert.True(inspectCode == 0, inspectError);
        Assert.Matches(@"default\s+1\s+0\s+0\s+0", inspect);
        Assert.Contains("revocations: no shared store", inspect);

        var (revokeCode, _, revokeError) = await RunAsync("revoke", "--task", "demo.record");
        Assert.Equal(2, revokeCode);
        Assert.Contains("no shared store", revokeError);

        var (purgeCode, purged, purgeError) = await RunAsync("purge", "default", "--yes");
        Assert.True(purgeCode == 0, purgeError);
        Assert.Contains("Purged", purged);
    }
}
