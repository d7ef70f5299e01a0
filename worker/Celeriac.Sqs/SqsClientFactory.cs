using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.SQS;

namespace Celeriac.Sqs;

/// <summary>
/// Builds an <see cref="IAmazonSQS"/> from Celeriac's options when the app did not register one: the SDK does the
/// credentials (its default chain unless a profile or static keys are set), the retries (standard mode), and the
/// endpoint (<c>AWS_ENDPOINT_URL_SQS</c> included); Celeriac adds only the region of a queue URL.
/// </summary>
public static class SqsClientFactory
{
    /// <param name="configure">Changes the SDK's configuration last (tests give it an HTTP client factory).</param>
    public static AmazonSQSClient Create(SqsBrokerOptions options, Action<AmazonSQSConfig>? configure = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = CreateConfig(options, environment ?? Environment.GetEnvironmentVariable);
        configure?.Invoke(config);
        var credentials = Credentials(options);
        return credentials is null ? new AmazonSQSClient(config) : new AmazonSQSClient(credentials, config);
    }

    public static AmazonSQSConfig CreateConfig(SqsBrokerOptions options, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var config = new AmazonSQSConfig
        {
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = options.MaxRetries,
        };
        var region = Region(options, environment);
        if (!string.IsNullOrWhiteSpace(options.Endpoint))
        {
            config.ServiceURL = options.Endpoint.Trim();
            if (region is not null) config.AuthenticationRegion = region;
        }
        else if (region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        return config;
    }

    /// <summary>
    /// The configured region, else a standard queue URL's, else the SDK's chain. With an endpoint of its own (an emulator,
    /// a VPC endpoint with its own name) and none of those, requests are signed for us-east-1.
    /// </summary>
    private static string? Region(SqsBrokerOptions options, Func<string, string?> environment)
    {
        if (!string.IsNullOrWhiteSpace(options.Region)) return options.Region.Trim();
        if (SqsQueueUrls.Region(options.QueueUrlPrefix ?? options.QueueUrls.Values.FirstOrDefault()) is { } fromUrl) return fromUrl;
        try
        {
            if (FallbackRegionFactory.GetRegionEndpoint() is { } fromChain) return fromChain.SystemName;
        }
        catch (AmazonClientException)
        {
        }
        var endpoint = !string.IsNullOrWhiteSpace(options.Endpoint)
            || !string.IsNullOrWhiteSpace(environment("AWS_ENDPOINT_URL_SQS"))
            || !string.IsNullOrWhiteSpace(environment("AWS_ENDPOINT_URL"));
        if (endpoint) return "us-east-1";
        throw new InvalidOperationException($"No AWS region: set {SqsBrokerOptions.Section}:Region, AWS_REGION, or a region in the AWS profile.");
    }

    private static AWSCredentials? Credentials(SqsBrokerOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.AccessKeyId) && !string.IsNullOrWhiteSpace(options.SecretAccessKey))
            return string.IsNullOrWhiteSpace(options.SessionToken)
                ? new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey)
                : new SessionAWSCredentials(options.AccessKeyId, options.SecretAccessKey, options.SessionToken);
        if (!string.IsNullOrWhiteSpace(options.Profile))
            return new CredentialProfileStoreChain().TryGetAWSCredentials(options.Profile, out var fromProfile)
                ? fromProfile
                : throw new InvalidOperationException($"The AWS profile '{options.Profile}' ({SqsBrokerOptions.Section}:Profile) was not found in the shared config files.");
        return null;
    }
}
