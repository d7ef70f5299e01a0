using Amazon.SQS;
using Celeriac.Hosting;
using Celeriac.Redis;
using Celeriac.Testing;
using Celeriac.Testing.Sqs;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Sqs.Tests.Infrastructure;

/// <summary>
/// A test's world on the SQS emulator: its own queue prefix; workers configured the way a pod would be
/// (<c>Celeriac__Broker__Type=sqs</c>, the endpoint in <c>AWS_ENDPOINT_URL_SQS</c>, credentials and region from the AWS
/// environment variables), plus <see cref="EmulatorSqsModule"/>, which hands them the SDK client with the emulator's
/// quirks corrected (as an app hands Celeriac its own <c>IAmazonSQS</c>). With <c>store</c>, the producer and every worker
/// keep the store in that redis-server (<c>Celeriac__Store__Type=redis</c>), as a cluster on SQS does.
/// </summary>
public sealed class SqsScenario(SqsEmulator emulator, string prefix, RedisServer? store = null) : WorkerProcessScenario("sqs", _ => c =>
{
    var options = SqsTestBrokers.Options(emulator, prefix);
    c.Services.AddSingleton(SqsTestBrokers.Client(options));
    c.UseSqsBroker(o =>
    {
        o.QueueUrlPrefix = options.QueueUrlPrefix;
        o.AutoCreateQueues = true;
    });
    if (store is not null)
        c.UseRedisStore(o =>
        {
            o.ConnectionString = store.ConnectionString;
            o.KeyPrefix = prefix;
        });
})
{
    public SqsScenario(SqsEmulator emulator, RedisServer? store = null) : this(emulator, emulator.NewPrefix(), store)
    {
    }

    public string Prefix { get; } = prefix;

    protected override IEnumerable<string> TaskAssemblies => [typeof(EmulatorSqsModule).Assembly.Location];

    /// <summary>The store's settings as a pod gets them (none without a store).</summary>
    public IReadOnlyDictionary<string, string> StoreEnvironment { get; } = store is null ? new Dictionary<string, string>() : new Dictionary<string, string>
    {
        ["Celeriac__Store__Type"] = "redis",
        ["Celeriac__Store__Redis__ConnectionString"] = store.ConnectionString,
        ["Celeriac__Store__Redis__KeyPrefix"] = prefix,
    };

    /// <summary>Runs the <c>celeriac</c> CLI in process against this scenario's queues (and store), configured as through the environment.</summary>
    public Task<(int Code, string Out, string Err)> CliAsync(params string[] args) =>
        SqsTestBrokers.RunCliAsync(emulator, Prefix, StoreEnvironment, args);

    protected override IReadOnlyDictionary<string, string> BrokerEnvironment => new Dictionary<string, string>(StoreEnvironment)
    {
        ["Celeriac__Broker__Type"] = "sqs",
        ["Celeriac__Broker__Sqs__QueueUrlPrefix"] = Prefix,
        ["Celeriac__Broker__Sqs__AutoCreateQueues"] = "true",
        ["AWS_ENDPOINT_URL_SQS"] = emulator.Endpoint,
        ["AWS_ACCESS_KEY_ID"] = "test",
        ["AWS_SECRET_ACCESS_KEY"] = "test",
        ["AWS_REGION"] = "us-east-1",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };
}
