using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Amazon.SQS;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Examples.Tasks;
using Celeriac.Hosting;
using Celeriac.Observability;
using Celeriac.Pipeline;
using Celeriac.Sqs.Tests.Infrastructure;
using Celeriac.Testing.Sqs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Celeriac.Sqs.Tests;

/// <summary>Composition: the broker chosen and configured from <c>Celeriac:Broker</c>, and a worker's request economy on SQS.</summary>
public sealed class SqsHostingTests(SqsEmulator emulator) : IClassFixture<SqsEmulator>
{
    private sealed class Finished : ITaskObserver
    {
        private long _count;
        public long Count => Interlocked.Read(ref _count);
        public void OnFinished(TaskExecution execution, Settlement settlement, TimeSpan duration) => Interlocked.Increment(ref _count);
    }

    [Fact]
    public void The_sqs_broker_type_binds_its_options_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Type"] = "SQS",
            ["Celeriac:Broker:Sqs:QueueUrlPrefix"] = "https://sqs.eu-west-1.amazonaws.com/123456789012/billing-",
            ["Celeriac:Broker:Sqs:QueueUrls:urgent"] = "https://sqs.eu-west-1.amazonaws.com/123456789012/pager",
            ["Celeriac:Broker:Sqs:MaxRetries"] = "7",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddCeleriac(configuration, c => c.UseBrokerFromConfiguration()).BuildServiceProvider();

        var broker = Assert.IsType<SqsBroker>(services.GetRequiredService<IBroker>());
        Assert.Same(broker, services.GetRequiredService<IBrokerAdmin>());
        Assert.Equal("https://sqs.eu-west-1.amazonaws.com/123456789012/billing-default", broker.QueueUrl("default"));
        Assert.Equal("https://sqs.eu-west-1.amazonaws.com/123456789012/pager", broker.QueueUrl("urgent"));
        Assert.Equal(7, services.GetRequiredService<IOptions<SqsBrokerOptions>>().Value.MaxRetries);
        var client = Assert.IsType<AmazonSQSClient>(services.GetRequiredService<IAmazonSQS>());
        Assert.Equal(RegionEndpoint.EUWest1, client.Config.RegionEndpoint);
        Assert.Equal(7, client.Config.MaxErrorRetry);
    }

    [Theory]
    [InlineData("LongPollSeconds", "30", "Celeriac:Broker:Sqs:LongPollSeconds must be at most 20")]
    [InlineData("QueueUrlPrefix", "", "Celeriac:Broker:Sqs:QueueUrlPrefix (or Celeriac:Broker:Sqs:QueueUrls:<queue>) must be set")]
    [InlineData("Endpoint", "not a url", "Celeriac:Broker:Sqs:Endpoint must be an absolute URL")]
    [InlineData("MaxParallelReceives", "0", "Celeriac:Broker:Sqs:MaxParallelReceives must be positive (was 0)")]
    public async Task A_bad_setting_stops_the_start_naming_its_key(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Type"] = "sqs",
            ["Celeriac:Broker:Sqs:QueueUrlPrefix"] = "https://sqs.eu-west-1.amazonaws.com/123456789012/billing-",
            [$"Celeriac:Broker:Sqs:{key}"] = value,
        };
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddCeleriac(builder.Configuration, c => c.UseBrokerFromConfiguration());
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_apps_own_IAmazonSQS_from_AddAWSService_is_the_one_the_broker_calls()
    {
        var options = SqsTestBrokers.Options(emulator, emulator.NewPrefix());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Type"] = "sqs",
            ["Celeriac:Broker:Sqs:QueueUrlPrefix"] = options.QueueUrlPrefix,
            ["Celeriac:Broker:Sqs:AutoCreateQueues"] = "true",
            // A client built from Celeriac's options would call the real SQS in this region and fail here: the round trip
            // below succeeds only through the app's client, which points at the emulator.
            ["Celeriac:Broker:Sqs:Region"] = "ap-northeast-3",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        // As an app configures the SDK for itself (Amazon.Extensions.NETCore.Setup).
        services.AddDefaultAWSOptions(new AWSOptions
        {
            Region = RegionEndpoint.USEast1,
            Credentials = new BasicAWSCredentials("test", "test"),
            DefaultClientConfig = { ServiceURL = emulator.Endpoint },
        });
        services.AddAWSService<IAmazonSQS>();
        services.AddCeleriac(configuration, c => c.UseBrokerFromConfiguration());
        await using var provider = services.BuildServiceProvider();

        var appClient = provider.GetRequiredService<IAmazonSQS>();
        var broker = Assert.IsType<SqsBroker>(provider.GetRequiredService<IBroker>());
        Assert.StartsWith(emulator.Endpoint, appClient.Config.ServiceURL, StringComparison.Ordinal);

        // And it works: a message goes out and comes back through the app's client.
        await broker.SendAsync([new OutgoingMessage("default", "through the app's client"u8.ToArray())], CancellationToken.None);
        var received = await broker.ReceiveAsync(["default"], 10, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal("through the app's client", System.Text.Encoding.UTF8.GetString(Assert.Single(received).Body.Span));
        await broker.AckAsync(received, CancellationToken.None);
    }

    [Fact]
    public async Task A_worker_draining_a_thousand_tasks_stays_near_three_requests_per_ten_tasks()
    {
        var options = SqsTestBrokers.Options(emulator, emulator.NewPrefix());
        var requests = new SqsRequestCounter();
        var finished = new Finished();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<ITaskObserver>(finished);
        builder.Services.AddSingleton(SqsTestBrokers.Client(options, requests));
        builder.Services.AddCeleriac(c => c
            .UseSqsBroker(o =>
            {
                o.QueueUrlPrefix = options.QueueUrlPrefix;
                o.AutoCreateQueues = true;
            })
            .AddTask<NoopTask>()
            .AddWorker(o =>
            {
                o.Concurrency = 64;
                o.MaxFetchBatch = 64;
                o.ReceiveWait = TimeSpan.FromSeconds(5);
            }));
        using var host = builder.Build();
        await host.Services.GetRequiredService<ITaskClient>().EnqueueManyAsync(Enumerable.Range(0, 1000).Select(i => new NoopArgs(i)).ToAsyncEnumerable());

        await host.StartAsync();
        await Eventually.Until(() => finished.Count >= 1000, "the 1000 tasks finished", TimeSpan.FromSeconds(60));
        var total = requests.Total;
        await host.StopAsync();

        Assert.Equal(1000, finished.Count);
        Assert.Equal(100, requests.Of("SendMessageBatch"));
        // The floor is 0.3 (one send, one receive, one delete per 10); start-up and a partly filled last batch add a little.
        var perTask = total / 1000.0;
        Assert.True(perTask <= 0.45, $"{perTask:0.000} requests per task: " + string.Join(", ", requests.ByAction.Select(p => $"{p.Key} {p.Value}")));
    }
}
