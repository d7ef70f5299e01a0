using System.Text.Json.Nodes;
using Celeriac.Celery.Tests.Infrastructure;
using Celeriac.Examples;
using Celeriac.Hosting;
using StackExchange.Redis;

namespace Celeriac.Celery.Tests;

/// <summary>
/// A Celeriac worker process SIGKILLed while it holds a Celery message: the message sits in kombu's <c>unacked</c> hash,
/// and once the lease its heartbeats kept up has run out it is put back and runs, whether a stock Celery worker restores
/// it (kombu's own <c>restore_visible</c>) or another Celeriac worker does. Both sides use a visibility timeout of 5 s.
/// </summary>
public sealed class RestoreTests(RedisCeleryFixture redis) : IClassFixture<RedisCeleryFixture>
{
    private static readonly TimeSpan Visibility = TimeSpan.FromSeconds(5);

    private LocalWorkerProcess StartCeleriacWorker(string queue)
    {
        var environment = new Dictionary<string, string>
        {
            ["Celeriac__Broker__Type"] = "memory",
            ["Celeriac__Queues__0__Name"] = queue,
            ["Celeriac__Queues__0__Protocol"] = "celery",
            ["Celeriac__Worker__HeartbeatInterval"] = "00:00:00.500",
        };
        foreach (var (key, value) in redis.CeleriacSettings(Visibility)) environment[key.Replace(":", "__", StringComparison.Ordinal)] = value!;
        return LocalWorkerProcess.Start(["--tasks", typeof(ExamplesModule).Assembly.Location, "--lease", "00:00:03", "--urls", "http://127.0.0.1:0"], environment);
    }

    private static async Task WaitForOutputAsync(LocalWorkerProcess worker, string text)
    {
        var taken = await Eventually.Reached(() => worker.Output.Contains(text, StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.True(taken, $"the worker did not log '{text}':\n{worker.Output}");
    }

    /// <summary>Sends demo.square from Python and waits until the Celeriac worker holds it (its entry in unacked) and has started it.</summary>
    private async Task<string> SendAndWaitUntilHeldAsync(LocalWorkerProcess worker, string queue, int milliseconds)
    {
        await WaitForOutputAsync(worker, "Worker serving queues");
        var sent = await redis.Python.RunAsync("send", new { task = "demo.square", args = new[] { 7, milliseconds }, queue });
        using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Server.Port}");
        var db = connection.GetDatabase();
        var held = await Eventually.Reached(async () => await db.HashLengthAsync("unacked") == 1 && await db.ListLengthAsync(queue) == 0, TimeSpan.FromSeconds(30));
        Assert.True(held, "the Celeriac worker did not take the message:\n" + worker.Output);
        // Lets the worker start the task before the caller kills it; a start inside another process is not observable here.
        await Task.Delay(TimeSpan.FromSeconds(1));
        return sent["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_stock_Celery_worker_restores_the_message_of_a_killed_Celeriac_worker()
    {
        var queue = "restore-" + Guid.NewGuid().ToString("N")[..8];
        var worker = StartCeleriacWorker(queue);
        string id;
        try
        {
            id = await SendAndWaitUntilHeldAsync(worker, queue, 60_000);
        }
        finally
        {
            worker.Kill();
            await worker.DisposeAsync();
        }

        // kombu's worker restores when it starts polling and then only every tenth of its 10-second rounds: let the killed
        // worker's lease (3 s from its last heartbeat) run out first, so that the start-up restore is the one that finds it.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var python = new PythonCelery(redis.PythonEnvironment(Visibility));
        await using var celery = await python.StartWorkerAsync(queue);
        var outcome = await python.RunAsync("get", new { id, timeout = 45 });

        // The Python twin of the task ran it: kombu's restore put the message Celeriac held back on the queue.
        Assert.True(outcome["result"] is not null, "no result: " + outcome.ToJsonString() + "\n" + celery.Output);
        Assert.Equal("python", outcome["result"]!.GetValue<string>());
    }

    [Fact]
    public async Task Another_Celeriac_worker_restores_the_message_of_a_killed_one_and_runs_it()
    {
        var queue = "restore-" + Guid.NewGuid().ToString("N")[..8];
        var first = StartCeleriacWorker(queue);
        string id;
        try
        {
            id = await SendAndWaitUntilHeldAsync(first, queue, 3_000);
        }
        finally
        {
            first.Kill();
            await first.DisposeAsync();
        }

        await using var second = StartCeleriacWorker(queue);
        var outcome = await redis.Python.RunAsync("get", new { id, timeout = 45 });

        Assert.True(outcome["result"] is JsonObject, "no result: " + outcome.ToJsonString() + "\n" + second.Output);
        Assert.Equal(49, outcome["result"]!["value"]!.GetValue<long>());
        Assert.Contains("Put back 1 unacknowledged Celery messages", second.Output, StringComparison.Ordinal);
    }
}
