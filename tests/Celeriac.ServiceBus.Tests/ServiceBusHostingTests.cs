using System.Diagnostics;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Celeriac.Observability;
using Celeriac.Pipeline;
using Celeriac.ServiceBus.Client;
using Celeriac.ServiceBus.Tests.Infrastructure;
using Celeriac.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Celeriac.ServiceBus.Tests;

/// <summary>Composition: the broker chosen and configured from <c>Celeriac:Broker</c>, and a worker's request economy on the fake.</summary>
public sealed class ServiceBusHostingTests(FakeServiceBusFixture fixture) : IClassFixture<FakeServiceBusFixture>
{
    private sealed class Finished : ITaskObserver
    {
        private long _count;
        public long Count => Interlocked.Read(ref _count);
        public void OnFinished(TaskExecution execution, Settlement settlement, TimeSpan duration) => Interlocked.Increment(ref _count);
    }

    [Theory]
    [InlineData("serviceBus")]
    [InlineData("SERVICEBUS")]
    public void The_service_bus_broker_type_binds_its_options_from_configuration(string type)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Type"] = type,
            ["Celeriac:Broker:ServiceBus:ConnectionString"] = "Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=app;SharedAccessKey=c2VjcmV0",
            ["Celeriac:Broker:ServiceBus:QueuePrefix"] = "billing-",
            ["Celeriac:Broker:ServiceBus:LockDuration"] = "00:00:45",
            ["Celeriac:Broker:ServiceBus:ConcurrentReceivers"] = "4",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddCeleriac(configuration, c => c.UseBrokerFromConfiguration()).BuildServiceProvider();

        var broker = Assert.IsType<ServiceBusBroker>(services.GetRequiredService<IBroker>());
        Assert.Same(broker, services.GetRequiredService<IBrokerAdmin>());
        Assert.Equal("billing-default", broker.QueueName("default"));
        var options = services.GetRequiredService<IOptions<ServiceBusBrokerOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(45), options.LockDuration);
        Assert.Equal(4, options.ConcurrentReceivers);
        var client = Assert.IsType<ServiceBusRestClient>(services.GetRequiredService<IServiceBusClient>());
        Assert.Equal(new Uri("https://shop.servicebus.windows.net/"), client.Endpoint);
    }

    [Fact]
    public void A_namespace_without_a_connection_string_uses_Entra_ID()
    {
        using var client = ServiceBusClientFactory.Create(null, "shop.servicebus.windows.net", credential: new Azure.Identity.EnvironmentCredential());
        Assert.Equal(new Uri("https://shop.servicebus.windows.net/"), client.Endpoint);
        Assert.Throws<InvalidOperationException>(() => ServiceBusClientFactory.Create(null, null));
    }

    [Fact]
    public async Task A_worker_draining_a_thousand_no_op_tasks_stays_near_two_requests_per_task()
    {
        var finished = new Finished();
        using var host = NoopWorkerHost(finished, o =>
        {
            o.Concurrency = 64;
            o.MaxFetchBatch = 64;
            o.ReceiveWait = TimeSpan.FromSeconds(5);
        });
        // The fake counts for the whole test class: only this test's requests are compared.
        var sendsBefore = fixture.Fake.RequestsByOperation.GetValueOrDefault("Send");
        await host.Services.GetRequiredService<ITaskClient>().EnqueueManyAsync(Enumerable.Range(0, 1000).Select(i => new NoopArgs(i)).ToAsyncEnumerable());
        var sends = fixture.Fake.RequestsByOperation.GetValueOrDefault("Send") - sendsBefore;

        var before = fixture.Fake.TotalRequests;
        await host.StartAsync();
        var clock = Stopwatch.StartNew();
        while (finished.Count < 1000 && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(20);
        var total = fixture.Fake.TotalRequests - before;
        await host.StopAsync();

        Assert.Equal(1000, finished.Count);
        Assert.True(sends <= 12, $"{sends} send requests for 1000 tasks: sends are not batched");
        // The floor is 2: one peek-lock and one delete per task (the REST API neither receives nor settles in batches).
        var perTask = total / 1000.0;
        Assert.True(perTask <= 2.2, $"{perTask:0.000} requests per task: " + string.Join(", ", fixture.Fake.RequestsByOperation.Select(p => $"{p.Key} {p.Value}")));
    }

    [Fact]
    public async Task A_worker_rides_out_throttling_and_busy_answers_without_losing_or_repeating_a_task()
    {
        var finished = new Finished();
        using var host = NoopWorkerHost(finished, o => o.Concurrency = 16);
        await host.Services.GetRequiredService<ITaskClient>().EnqueueManyAsync(Enumerable.Range(0, 300).Select(i => new NoopArgs(i)).ToAsyncEnumerable());

        await host.StartAsync();
        var clock = Stopwatch.StartNew();
        while (finished.Count < 50 && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(5);
        // Throttled, then busy: peek-locks, deletes and renewals in flight all get these answers and retry.
        fixture.Fake.FailNext(10, System.Net.HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(1));
        fixture.Fake.FailNext(10, System.Net.HttpStatusCode.ServiceUnavailable);
        var finishedBeforeFaults = finished.Count;
        while (finished.Count < 300 && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(20);
        await Task.Delay(500);
        await host.StopAsync();

        Assert.True(finishedBeforeFaults < 300, "every task finished before the faults: the test proves nothing");
        Assert.Equal(0, fixture.Fake.PendingFaults);
        Assert.Equal(300, finished.Count);
        var broker = host.Services.GetRequiredService<IBroker>();
        Assert.Equal(default, await broker.GetDepthAsync("default", CancellationToken.None));
    }

    /// <summary>A host running no-op tasks on a fresh queue prefix of the fake, counting finished tasks.</summary>
    private IHost NoopWorkerHost(Finished finished, Action<WorkerOptions> worker)
    {
        var options = ServiceBusTestBrokers.Options(fixture.Fake, fixture.NewPrefix());
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<ITaskObserver>(finished);
        builder.Services.AddCeleriac(c => c
            .UseServiceBusBroker(o =>
            {
                o.ConnectionString = options.ConnectionString;
                o.QueuePrefix = options.QueuePrefix;
                o.AutoCreateQueues = true;
                o.LockDuration = TimeSpan.FromSeconds(30);
            })
            .AddTask<NoopTask>()
            .AddWorker(worker));
        return builder.Build();
    }
}
