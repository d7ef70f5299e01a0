using Amazon.Runtime;
using Amazon.SQS;
using Celeriac.Sqs;

namespace Celeriac.Testing.Sqs;

/// <summary>An <see cref="IAmazonSQS"/> for the emulator: Celeriac's own factory, with <see cref="EmulatorQuirksHandler"/> in the SDK's HTTP pipeline.</summary>
public static class EmulatorSqs
{
    /// <param name="inner">The handler under the quirks handler (a request counter); a plain socket handler when null.</param>
    public static IAmazonSQS Client(SqsBrokerOptions options, HttpMessageHandler? inner = null) =>
        SqsClientFactory.Create(options, config => config.HttpClientFactory = new Factory(inner), environment: _ => null);

    private sealed class Factory(HttpMessageHandler? inner) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
            new(new EmulatorQuirksHandler(inner ?? new SocketsHttpHandler()), disposeHandler: inner is null) { Timeout = Timeout.InfiniteTimeSpan };

        // One client for the SDK's lifetime: the counter (if any) is shared, and SocketsHttpHandler pools connections.
        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;
    }
}
