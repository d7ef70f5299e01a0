using Celeriac.Brokers;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Celeriac.Observability;
using Celeriac.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Celeriac.Bench;

/// <summary>Worker hosts inside the benchmark process, on a shared in-memory broker, counting finished tasks.</summary>
public sealed class InProcessWorkers : IAsyncDisposable
{
    public sealed class TaskCounter : ITaskObserver
    {
        private long _finished;
        private readonly List<double> _waits = [];
        public bool RecordWaits { get; set; }
        public long Finished => Interlocked.Read(ref _finished);

        public void OnStarted(TaskExecution execution)
        {
            if (!RecordWaits) return;
            var readyAt = execution.Envelope.Eta is { } eta && eta > execution.Envelope.Created ? eta : execution.Envelope.Created;
            lock (_waits) _waits.Add((execution.StartedAt - readyAt).TotalMilliseconds);
        }

        public void OnFinished(TaskExecution execution, Settlement settlement, TimeSpan duration) => Interlocked.Increment(ref _finished);

        public double[] Waits()
        {
            lock (_waits) return [.. _waits];
        }
    }

    private readonly List<IHost> _hosts = [];

    public InProcessWorkers(InMemoryBroker broker, int instances, int concurrency)
    {
        for (var i = 0; i < instances; i++)
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddSingleton<ITaskObserver>(Counter);
            builder.Services.AddCeleriac(c => c
                .UseInMemoryBroker(broker)
                .AddTask<NoopTask>()
                .AddWorker(o =>
                {
                    o.Concurrency = concurrency;
                    o.MaxFetchBatch = concurrency;
                }));
            _hosts.Add(builder.Build());
        }
    }

    public TaskCounter Counter { get; } = new();

    public IServiceProvider Services => _hosts[0].Services;

    public async Task StartAsync()
    {
        foreach (var host in _hosts) await host.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
