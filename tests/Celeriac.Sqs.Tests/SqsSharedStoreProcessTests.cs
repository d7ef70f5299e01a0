using System.Text.Json;
using Celeriac.Examples.Tasks;
using Celeriac.Sqs.Tests.Infrastructure;

namespace Celeriac.Sqs.Tests;

/// <summary>
/// SQS with <c>Celeriac__Store__Type=redis</c>: the CLI and a real <c>celeriac-worker</c> process share revocations and
/// results through a real redis-server, which the in-process store of an SQS worker cannot do.
/// </summary>
public sealed class SqsSharedStoreProcessTests(SqsEmulator emulator) : IClassFixture<SqsEmulator>
{
    [Fact]
    public async Task The_cli_revokes_a_queued_task_the_worker_then_discards_and_reads_a_result_the_worker_stored()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var scenario = new SqsScenario(emulator, redis);
        async Task<(int Code, string Out, string Err)> Cli(params string[] args)
        {
            var (code, output, error) = await scenario.CliAsync(args);
            return (code, output.Trim(), error);
        }

        // Delayed, so that it is still queued while the worker starts and after the revocation is in the store.
        var (enqueueCode, revokedId, enqueueError) = await Cli("enqueue", "demo.record", "--args", """{"milliseconds": 1}""", "--countdown", "6");
        Assert.True(enqueueCode == 0, enqueueError);
        var (revokeCode, revoked, revokeError) = await Cli("revoke", revokedId);
        Assert.True(revokeCode == 0, revokeError);
        Assert.Contains(revokedId, revoked, StringComparison.Ordinal);
        var (inspectCode, inspect, inspectError) = await Cli("inspect");
        Assert.True(inspectCode == 0, inspectError);
        Assert.Contains("revoked task ids: 1", inspect, StringComparison.Ordinal);

        var worker = scenario.StartWorker(concurrency: 4);
        var (squareCode, squareId, squareError) = await Cli("enqueue", "demo.square", "--args", """{"value": 7}""");
        Assert.True(squareCode == 0, squareError);
        var (resultCode, result, resultError) = await Cli("result", squareId, "--wait", "00:01:00");
        Assert.True(resultCode == 0, resultError + "\n--- worker:\n" + worker.Output);
        Assert.Equal(49, JsonSerializer.Deserialize<Amount>(result, JsonSerializerOptions.Web)!.Value);

        // The revoked task becomes visible after its countdown; the worker takes it off the queue without running it.
        Assert.True(await Eventually.Reached(async () => (await scenario.DepthAsync()).Total == 0 && worker.Output.Contains(revokedId, StringComparison.Ordinal), TimeSpan.FromSeconds(60)),
            "the revoked task is still queued:\n" + worker.Output);
        Assert.Contains(scenario.Executions(), e => e.TaskId == squareId && e.Event == "done");
        Assert.DoesNotContain(scenario.Executions(), e => e.TaskId == revokedId);
        Assert.DoesNotContain("per process", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_on_sqs_without_a_store_warns_once_at_start_up_that_they_are_per_process()
    {
        await using var scenario = new SqsScenario(emulator);
        var worker = scenario.StartWorker(concurrency: 2);
        Assert.True(await Eventually.Reached(() => worker.Output.Contains("per process", StringComparison.Ordinal), TimeSpan.FromSeconds(30)),
            "no warning at start-up:\n" + worker.Output);
        await scenario.Client.EnqueueAsync(new RecordArgs(1));
        Assert.True(await Eventually.Reached(() => scenario.Executions().Any(e => e.Event == "done"), TimeSpan.FromSeconds(30)), worker.Output);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(worker.Output, "per process"));
        Assert.Contains("Celeriac:Store:Type=redis", worker.Output, StringComparison.Ordinal);
    }
}
