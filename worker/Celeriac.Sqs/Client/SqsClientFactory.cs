using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Celeriac.Sqs.Client;

/// <summary>Builds the JSON client: region and endpoint resolved as the AWS SDKs do, credentials from AWSSDK.Core.</summary>
public static class SqsClientFactory
{
    /// <param name="queueUrlHint">A queue URL whose host may name the region (<c>sqs.eu-west-1.amazonaws.com</c>).</param>
    /// <param name="handler">The HTTP handler (tests count requests with a delegating handler); a pooled one when null.</param>
    public static SqsJsonClient Create(SqsClientOptions options, string? queueUrlHint = null, HttpMessageHandler? handler = null,
        TimeProvider? time = null, ILoggerFactory? loggers = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        environment ??= Environment.GetEnvironmentVariable;
        var explicitEndpoint = !string.IsNullOrWhiteSpace(options.Endpoint)
            || !string.IsNullOrWhiteSpace(environment(SqsEndpoint.EndpointVariable))
            || !string.IsNullOrWhiteSpace(environment(SqsEndpoint.GlobalEndpointVariable));
        var region = ResolveRegion(options, queueUrlHint, explicitEndpoint);
        var endpoint = SqsEndpoint.Resolve(options.Endpoint, region, environment);
        var http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = 64,
        }, disposeHandler: true)
        {
            // Each attempt has its own timeout (long polls included); this one only backs it up.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        return new SqsJsonClient(http, endpoint, region, new AwsSdkCredentialSource(options), options, time ?? TimeProvider.System,
            (loggers ?? NullLoggerFactory.Instance).CreateLogger<SqsJsonClient>(), ownsHttp: true);
    }

    private static string ResolveRegion(SqsClientOptions options, string? queueUrlHint, bool explicitEndpoint)
    {
        if (!string.IsNullOrWhiteSpace(options.Region)) return options.Region.Trim();
        if (SqsEndpoint.RegionFromQueueUrl(queueUrlHint) is { } fromUrl) return fromUrl;
        try
        {
            if (FallbackRegionFactory.GetRegionEndpoint() is { } fromChain) return fromChain.SystemName;
        }
        catch (AmazonClientException)
        {
        }
        // A configured endpoint (an emulator, a VPC endpoint with its own name) still needs a region to sign with.
        if (explicitEndpoint) return "us-east-1";
        throw new InvalidOperationException("No AWS region: set Celeriac:Broker:Sqs:Region, AWS_REGION, or a region in the AWS profile.");
    }
}
