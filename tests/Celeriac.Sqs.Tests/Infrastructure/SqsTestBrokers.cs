using Amazon.SQS;
using Celeriac.Testing.Sqs;

namespace Celeriac.Sqs.Tests.Infrastructure;

/// <summary>Brokers and SDK clients on an emulator, with the settings every test uses.</summary>
public static class SqsTestBrokers
{
    public static SqsBrokerOptions Options(SqsEmulator emulator, string prefix) => new()
    {
        QueueUrlPrefix = prefix,
        Endpoint = emulator.Endpoint,
        Region = "us-east-1",
        AccessKeyId = "test",
        SecretAccessKey = "test",
        AutoCreateQueues = true,
    };

    /// <param name="inner">Under the emulator's quirks handler: a <see cref="SqsRequestCounter"/> to count what the SDK sends.</param>
    public static IAmazonSQS Client(SqsBrokerOptions options, HttpMessageHandler? inner = null) => EmulatorSqs.Client(options, inner);

    public static SqsBroker Broker(SqsBrokerOptions options, HttpMessageHandler? inner = null) => new(Client(options, inner), options);
}
