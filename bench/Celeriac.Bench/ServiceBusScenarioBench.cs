using Celeriac.Client;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Celeriac.Observability;
using Celeriac.ServiceBus.Peer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Bench;

/// <summary>
/// No-op tasks through Azure.Messaging.ServiceBus against the in-process AMQP peer (tests/Celeriac.ServiceBus.Peer), with
/// one in-process worker at each concurrency: tasks per second at steady state, and AMQP operations per task as the peer
/// counts them (sends, credit grants, deliveries, dispositions, management requests; not the messages a send carried).
/// The peer shares the process and its two cores with the worker, so the rates are a floor for the client's own cost,
/// not Service Bus's.
/// </summary>
public static class ServiceBusScenarioBench
{
    public static async Task<BenchResult[]> RunAsync(int tasks, IReadOnlyList<int> concurrencies)
    {
        await using var peer = await ServiceBusPeer.StartAsync();
        long Operations() => peer.Operations.Total - peer.Operations[PeerOperations.MessageSent];
        var results = new List<BenchResult>();
        foreach (var concurrency in concurrencies)
        {
            var prefix = $"bench{concurrency}-";
            var finished = new InProcessWorkers.TaskCounter();
            using var producer = Build(peer, prefix, finished, concurrency, worker: false);
            peer.Operations.Reset();
            await producer.Services.GetRequiredService<ITaskClient>().EnqueueManyAsync(Enumerable.Range(0, tasks).Select(i => new NoopArgs(i)).ToAsyncEnumerable());
            var sendOperations = Operations();

            using var worker = Build(peer, prefix, finished, concurrency, worker: true);
            await worker.StartAsync();
            var steady = await SteadyState.MeasureAsync(finished, tasks, Operations);
            await worker.StopAsync();

            var perTask = steady.RequestsPerTask + sendOperations / (double)tasks;
            var rate = steady.TasksPerSecond;
            var name = $"servicebus peer (AMQP), concurrency {concurrency}";
            Console.WriteLine($"{name}: {steady.Tasks} tasks at steady state in {steady.Elapsed.TotalSeconds:0.00}s ({rate:N0}/s); " +
                $"{perTask:0.000} AMQP operations per task; by operation over the whole run: " +
                string.Join(", ", peer.Operations.Snapshot().OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")));
            results.Add(new BenchResult(name, "no-op tasks/s", rate, 1_000, HigherIsBetter: true));
            // The floor is 2 (a delivery and a complete per task) plus one credit grant per receive of a batch.
            results.Add(new BenchResult(name, "AMQP operations per task", perTask, 2.2, HigherIsBetter: false));
        }
        return [.. results];
    }

    private static IHost Build(ServiceBusPeer peer, string prefix, InProcessWorkers.TaskCounter finished, int concurrency, bool worker)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<ITaskObserver>(finished);
        builder.Services.AddCeleriac(c =>
        {
            c.UseServiceBusBroker(o =>
            {
                o.ConnectionString = peer.ConnectionString;
                o.QueuePrefix = prefix;
                o.AutoCreateQueues = true;
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
