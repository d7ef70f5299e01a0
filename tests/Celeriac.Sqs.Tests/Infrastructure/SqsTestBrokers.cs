using Celeriac.Sqs.Client;
using Celeriac.Testing;

namespace Celeriac.Sqs.Tests.Infrastructure;

/// <summary>Brokers and clients on an emulator, with the settings every test uses.</summary>
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
        ReadyCountIncludesInFlight = true,
        VisibilityChangeCountsAsReceive = true,
    };

    public static SqsJsonClient Client(SqsBrokerOptions options, HttpMessageHandler? handler = null) =>
        SqsClientFactory.Create(options.ToClientOptions(), options.QueueUrlPrefix, new EmulatorTimersHandler(handler ?? new SocketsHttpHandler()), environment: _ => null);

    public static SqsBroker Broker(SqsBrokerOptions options, HttpMessageHandler? handler = null) =>
        new(Client(options, handler), options, ownsClient: true);
}
