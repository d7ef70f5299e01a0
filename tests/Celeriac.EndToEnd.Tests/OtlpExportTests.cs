using Celeriac.Examples.Tasks;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

public sealed class OtlpExportTests
{
    [Fact]
    public async Task With_an_otlp_endpoint_the_worker_pushes_task_metrics_and_run_spans()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var scenario = new Scenario();
        for (var i = 0; i < 3; i++) await scenario.Client.EnqueueAsync(new RecordArgs(1));
        var worker = scenario.StartWorker(extra: new Dictionary<string, string>
        {
            ["Celeriac__Otlp__Endpoint"] = receiver.Endpoint.ToString(),
            ["Celeriac__Otlp__Protocol"] = "http/protobuf",
            ["Celeriac__Otlp__ExportInterval"] = "00:00:00.500",
            ["Celeriac__Otlp__ServiceName"] = "otlp-test-worker",
        });

        Assert.True(await Eventually.Reached(
            () => receiver.Received("/v1/metrics", "celeriac.tasks.succeeded") && receiver.Received("/v1/traces", "celeriac.run demo.record"),
            TimeSpan.FromSeconds(60)), worker.Output + "\nrequests: " + string.Join(", ", receiver.Requests.Select(r => r.Path)));
        Assert.True(receiver.Received("/v1/metrics", "demo.record"));
        Assert.True(receiver.Received("/v1/metrics", "otlp-test-worker"));
        Assert.All(receiver.Requests, r => Assert.Equal("application/x-protobuf", r.ContentType));
    }

    [Fact]
    public async Task Without_an_endpoint_nothing_is_pushed_and_the_worker_runs_as_usual()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var scenario = new Scenario();
        await scenario.Client.EnqueueAsync(new RecordArgs(1));
        // The standard OpenTelemetry variable alone does not turn export on: Celeriac:Otlp:Endpoint does.
        var worker = scenario.StartWorker(extra: new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString() });

        Assert.True(await Eventually.Reached(() => scenario.Executions().Count(e => e.Event == "done") == 1, TimeSpan.FromSeconds(60)), worker.Output);
        // A window in which an exporter, had one been turned on, would have sent.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Empty(receiver.Requests);
    }
}
