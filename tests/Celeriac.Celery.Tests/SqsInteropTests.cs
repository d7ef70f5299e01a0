using Celeriac.Brokers;
using Celeriac.Celery.Tests.Infrastructure;
using Celeriac.Client;
using Celeriac.Examples;
using Celeriac.Hosting;
using Celeriac.Workflows;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Celery.Tests;

/// <summary>
/// Celeriac in a Celery deployment on SQS (the local-aws-sqs emulator) against unmodified Celery 5.2 and kombu's SQS
/// transport (boto3 to send, the pycurl client of the worker to receive), with Celery's Redis result backend.
/// </summary>
public sealed class SqsInteropTests(SqsCeleryFixture sqs) : IClassFixture<SqsCeleryFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    private static string NewQueue() => "dotnet." + Guid.NewGuid().ToString("N")[..8];

    private Task<CeleriacCeleryApp> WorkerAsync(string queue) =>
        CeleriacCeleryApp.Create(sqs.CeleriacSettings(), [queue, "celery"], [queue], sqs.AddClient).StartAsync();

    [Fact]
    public async Task Python_apply_async_over_SQS_runs_on_Celeriac_and_get_returns_the_value_or_the_failure()
    {
        // A dot in the queue name: kombu names the SQS queue with a dash, and so must Celeriac.
        var queue = NewQueue();
        await using var worker = await WorkerAsync(queue);

        var doubled = await sqs.Python.RunAsync("apply", new { task = "dotnet.double", args = new[] { 21 }, queue, timeout = 40 });
        Assert.Equal(42, doubled["result"]!.GetValue<int>());

        var failed = await sqs.Python.RunAsync("apply", new { task = "dotnet.fail", args = new[] { "over SQS" }, queue, timeout = 40 });
        Assert.Equal(("InvalidOperationException", "over SQS"), (failed["error"]!.GetValue<string>(), failed["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_Celeriac_producer_runs_tasks_on_a_stock_celery_worker_over_SQS()
    {
        await sqs.CeleryWorkerAsync();
        await using var producer = CeleriacCeleryApp.Create(sqs.CeleriacSettings(), ["celery"], served: null, sqs.AddClient);
        await producer.StartAsync();

        var id = await producer.Client.EnqueueAsync("tasks.add", new object[] { 4, 5 }, new EnqueueOptions { Queue = "celery" });

        Assert.Equal(9, await producer.Control.Handle(id).GetResultAsync<int>(Patience));
    }

    [Fact]
    public async Task A_chain_started_in_Python_runs_through_a_dotnet_step_over_SQS()
    {
        var queue = NewQueue();
        await sqs.CeleryWorkerAsync();
        await using var worker = await WorkerAsync(queue);

        var chained = await sqs.Python.RunAsync("mixed_chain", new { x = 1, y = 2, dotnet_task = "dotnet.double", dotnet_queue = queue, timeout = 40 });

        Assert.Equal(7, chained["result"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_chain_started_from_dotnet_runs_through_a_Python_step_over_SQS()
    {
        var queue = NewQueue();
        await sqs.CeleryWorkerAsync();
        await using var worker = await WorkerAsync(queue);

        var handle = await worker.Workflows.StartAsync(Workflow.Chain(
            Sig.For<DoubleTask>(new DoubleArgs(3)).OnQueue(queue),
            Sig.Named("tasks.inc").OnQueue("celery"),
            Sig.Of<DoubleTask>().OnQueue(queue)));

        Assert.Equal(14, await handle.GetResultAsync<int>(Patience));
    }

    [Fact]
    public async Task A_pickled_message_over_SQS_is_dead_lettered_with_the_reason()
    {
        var queue = NewQueue();
        await using var worker = await WorkerAsync(queue);
        var admin = worker.Services.GetRequiredService<IBrokerAdmin>();

        var sent = await sqs.Python.RunAsync("send", new { task = "dotnet.double", args = new[] { 1 }, queue, serializer = "pickle" });
        var letters = await Eventually.Latest(async () => await admin.ListDeadLettersAsync(queue, 10, CancellationToken.None), l => l.Count > 0, Patience);

        var letter = Assert.Single(letters);
        Assert.Equal(queue, letter.Queue);
        Assert.Contains("(pickle) is not accepted", letter.Reason, StringComparison.Ordinal);
        // The dead letter holds the kombu message (decoded from SQS's base64), with the task's id.
        Assert.Contains(sent["id"]!.GetValue<string>(), System.Text.Encoding.UTF8.GetString(letter.Body.Span), StringComparison.Ordinal);
        Assert.StartsWith(Transport.CeleryBroker.DeadLetterIdPrefix, letter.Id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_message_of_a_killed_Celeriac_worker_comes_back_when_its_visibility_timeout_ends_and_a_stock_Celery_worker_runs_it()
    {
        var queue = NewQueue();
        var environment = new Dictionary<string, string>
        {
            ["Celeriac__Broker__Type"] = "memory",
            ["Celeriac__Queues__0__Name"] = queue,
            ["Celeriac__Queues__0__Protocol"] = "celery",
            ["Celeriac__Worker__HeartbeatInterval"] = "00:00:00.500",
            ["Celeriac__Celery__Sqs__Endpoint"] = sqs.Endpoint,
        };
        foreach (var (key, value) in sqs.CeleriacSettings()) environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        await using var observer = CeleriacCeleryApp.Create(sqs.CeleriacSettings(), [queue], served: null, sqs.AddClient);
        var broker = observer.Services.GetRequiredService<IBroker>();
        var worker = LocalWorkerProcess.Start(["--tasks", $"{typeof(ExamplesModule).Assembly.Location},{typeof(InteropModule).Assembly.Location}",
            "--lease", "00:00:03", "--urls", "http://127.0.0.1:0"], environment);
        string id;
        try
        {
            var ready = await Eventually.Reached(() => worker.Output.Contains("Worker serving queues", StringComparison.Ordinal), Patience);
            Assert.True(ready, worker.Output);
            id = (await sqs.Python.RunAsync("send", new { task = "demo.square", args = new[] { 7, 60_000 }, queue }))["id"]!.GetValue<string>();
            // Held: not visible on the queue, and the worker has logged nothing but its start (the task sleeps a minute).
            var held = await Eventually.Latest(async () => (await broker.GetDepthAsync(queue, CancellationToken.None)).InFlight, n => n == 1, Patience);
            Assert.Equal(1, held);
            // Lets the worker start the task before the kill; a start inside another process is not observable here.
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        finally
        {
            worker.Kill();
            await worker.DisposeAsync();
        }

        await using var celery = await sqs.Python.StartWorkerAsync(queue);
        var outcome = await sqs.Python.RunAsync("get", new { id, timeout = 40 });

        Assert.True(outcome["result"] is not null, "no result: " + outcome.ToJsonString() + "\n" + celery.Output);
        Assert.Equal("python", outcome["result"]!.GetValue<string>());
    }
}
