using System.Diagnostics;
using Celeriac.Client;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Celeriac.Observability;
using Celeriac.Sqs;
using Celeriac.Testing.Sqs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Bench;

/// <summary>
/// SQS bills per request: HTTP requests per task (sends, receives, deletes, visibility changes, counted in the client)
/// for no-op tasks on the local-aws-sqs emulator, and throughput through it, with one in-process worker.
/// </summary>
public static class SqsScenarioBench
{
    public static async Task<BenchResult[]> RunAsync(int tasks, int concurrency)
    {
        await using var emulator = await SqsEmulatorProcess.StartAsync();
        var options = new SqsBrokerOptions
        {
            QueueUrlPrefix = $"{emulator.Endpoint}/123456789012/bench-",
            Endpoint = emulator.Endpoint,
            Region = "us-east-1",
            AccessKeyId = "bench",
            SecretAccessKey = "bench",
            AutoCreateQueues = true,
        };
        var producerRequests = new SqsRequestCounter();
        var workerRequests = new SqsRequestCounter();
        var finished = new InProcessWorkers.TaskCounter();

        using var producer = Build(options, producerRequests, finished, concurrency, worker: false);
        var client = producer.Services.GetRequiredService<ITaskClient>();
        var enqueue = Stopwatch.StartNew();
        await client.EnqueueManyAsync(Enumerable.Range(0, tasks).Select(i => new NoopArgs(i)).ToAsyncEnumerable());
        Console.WriteLine($"sqs: enqueued {tasks} in {enqueue.Elapsed.TotalSeconds:0.00}s with {producerRequests.Total} requests");

        using var worker = Build(options, workerRequests, finished, concurrency, worker: true);
        await worker.StartAsync();
        var steady = await SteadyState.MeasureAsync(finished, tasks, () => workerRequests.Total);
        await worker.StopAsync();

        var workerPerTask = steady.RequestsPerTask;
        var sendPerTask = producerRequests.ByAction.GetValueOrDefault("SendMessageBatch") / (double)tasks;
        var perTask = workerPerTask + sendPerTask;
        var wholeRun = (producerRequests.Total + workerRequests.Total) / (double)tasks;
        Console.WriteLine($"sqs: {steady.Tasks} tasks at steady state in {steady.Elapsed.TotalSeconds:0.00}s; worker requests by action: " +
            string.Join(", ", workerRequests.ByAction.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")));
        Console.WriteLine($"sqs: {perTask:0.000} requests per task at steady state ({sendPerTask:0.000} send + {workerPerTask:0.000} worker); whole run incl. start-up {wholeRun:0.000}");
        return
        [
            new BenchResult($"sqs emulator, 1 worker, c={concurrency}", "requests per task", perTask, 0.35, HigherIsBetter: false),
            new BenchResult($"sqs emulator, 1 worker, c={concurrency}", "no-op tasks/s", steady.TasksPerSecond, 1_000, HigherIsBetter: true),
        ];
    }

    private static IHost Build(SqsBrokerOptions options, SqsRequestCounter handler, InProcessWorkers.TaskCounter finished, int concurrency, bool worker)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<ITaskObserver>(finished);
        // The emulator's client, with its known differences from SQS corrected (docs/sqs.md) and every request counted.
        builder.Services.AddSingleton(EmulatorSqs.Client(options, handler));
        builder.Services.AddCeleriac(c =>
        {
            c.UseSqsBroker(o =>
            {
                o.QueueUrlPrefix = options.QueueUrlPrefix;
                o.AutoCreateQueues = true;
            }).AddTask<NoopTask>();
            if (worker)
            {
                c.AddWorker(o =>
                {
                    o.Concurrency = concurrency;
                    o.MaxFetchBatch = concurrency;
                    o.ReceiveWait = TimeSpan.FromSeconds(20);
                });
            }
        });
        return builder.Build();
    }
}
