using Celeriac.Hosting;
using Celeriac.Testing;

namespace Celeriac.Sqs.Tests.Infrastructure;

/// <summary>
/// A test's world on the SQS emulator: its own queue prefix; workers configured the way a pod would be
/// (<c>Celeriac__Broker__Type=sqs</c>, the endpoint in <c>AWS_ENDPOINT_URL_SQS</c>, credentials and region from the AWS
/// environment variables).
/// </summary>
public sealed class SqsScenario(SqsEmulator emulator, string prefix) : WorkerProcessScenario("sqs", _ => c => c.UseSqsBroker(o =>
{
    var options = SqsTestBrokers.Options(emulator, prefix);
    o.QueueUrlPrefix = options.QueueUrlPrefix;
    o.Endpoint = options.Endpoint;
    o.Region = options.Region;
    o.AccessKeyId = options.AccessKeyId;
    o.SecretAccessKey = options.SecretAccessKey;
    o.AutoCreateQueues = true;
    o.ReadyCountIncludesInFlight = true;
    o.VisibilityChangeCountsAsReceive = true;
}))
{
    public SqsScenario(SqsEmulator emulator) : this(emulator, emulator.NewPrefix())
    {
    }

    public string Prefix { get; } = prefix;

    protected override IReadOnlyDictionary<string, string> BrokerEnvironment => new Dictionary<string, string>
    {
        ["Celeriac__Broker__Type"] = "sqs",
        ["Celeriac__Broker__Sqs__QueueUrlPrefix"] = Prefix,
        ["Celeriac__Broker__Sqs__AutoCreateQueues"] = "true",
        ["Celeriac__Broker__Sqs__ReadyCountIncludesInFlight"] = "true",
        ["Celeriac__Broker__Sqs__VisibilityChangeCountsAsReceive"] = "true",
        ["AWS_ENDPOINT_URL_SQS"] = emulator.Endpoint,
        ["AWS_ACCESS_KEY_ID"] = "test",
        ["AWS_SECRET_ACCESS_KEY"] = "test",
        ["AWS_REGION"] = "us-east-1",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };
}
