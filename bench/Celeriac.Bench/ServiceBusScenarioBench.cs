using Celeriac.Client;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Celeriac.Observability;
using Celeriac.ServiceBus.Fake;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Bench;

/// <summary>
/// No-op tasks through the in-process fake of Service Bus's REST API (tests/Celeriac.ServiceBus.Fake), with one in-process
/// worker whose broker keeps 1, 4 or 16 peek-locks in flight: tasks per second at steady state, and HTTP requests per
/// task (batched sends, one peek-lock and one delete per task) as the fake counts them. The fake shares the process and
/// its two cores with the worker, so the rates are a floor for the client's own cost, not Service Bus's.
/// </summary>
public static class ServiceBusScenarioBench
{
    public static async Task<BenchResult[]> RunAsync(int tasks, int concurrency, IReadOnlyList<int> receivers)
    {
        await using var fake = await FakeServiceBus.StartAsync();
        var results = new List<BenchResult>();
        foreach (var count in receivers)
        {
            var prefix = $"bench{count}-";
            var finished = new InProcessWorkers.TaskCounter();
            using var producer = Build(fake, prefix, finished, concurrency, count, worker: false);
            fake.ResetCounts();
            await producer.Services.GetRequiredService<ITaskClient>().EnqueueManyAsync(Enumerable.Range(0, tasks).Select(i => new NoopArgs(i)).ToAsyncEnumerable());
            var sendRequests = fake.TotalRequests;

            using var worker = Build(fake, prefix, finished, concurrency, count, worker: true);
            await worker.StartAsync();
            var steady = await SteadyState.MeasureAsync(finished, tasks, () => fake.TotalRequests);
            await worker.StopAsync();

            var perTask = steady.RequestsPerTask + sendRequests / (double)tasks;
            var rate = steady.TasksPerSecond;
            Console.WriteLine($"servicebus fake, {count} receiver(s): {steady.Tasks} tasks at steady state in {steady.Elapsed.TotalSeconds:0.00}s ({rate:N0}/s); " +
                $"{perTask:0.000} requests per task; by operation: " +
                string.Join(", ", fake.RequestsByOperation.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")));
            results.Add(new BenchResult($"servicebus fake, {count} receiver(s)", "no-op tasks/s", rate, 1_000, HigherIsBetter: true));
            results.Add(new BenchResult($"servicebus fake, {count} receiver(s)", "requests per task", perTask, 2.1, HigherIsBetter: false));
        }
        return [.. results];
    }

    private static IHost Build(FakeServiceBus fake, string prefix, InProcessWorkers.TaskCounter finished, int concurrency, int receivers, bool worker)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<ITaskObserver>(finished);
        builder.Services.AddCeleriac(c =>
        {
            c.UseServiceBusBroker(o =>
            {
                o.ConnectionString = fake.ConnectionString;
                o.QueuePrefix = prefix;
                o.AutoCreateQueues = true;
                o.ConcurrentReceivers = receivers;
                o.LockDuration = TimeSpan.FromSeconds(30);
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
