using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Celeriac.Sqs.Client;

/// <summary>
/// Credentials from AWSSDK.Core: explicit keys when given, otherwise the SDK's default chain (environment,
/// shared profile, web identity / IRSA through AWSSDK.SecurityToken, EKS Pod Identity and ECS container
/// credentials, EC2 instance metadata). The SDK's credential objects cache temporary credentials and refresh
/// them before they expire, so a long-running worker never needs a restart for new ones.
/// </summary>
public sealed class AwsSdkCredentialSource : ISqsCredentialSource
{
    private readonly Lazy<AWSCredentials> _credentials;

    public AwsSdkCredentialSource(SqsClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _credentials = new Lazy<AWSCredentials>(() => Create(options), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private static AWSCredentials Create(SqsClientOptions options)
    {
        if (!string.IsNullOrEmpty(options.AccessKeyId) && !string.IsNullOrEmpty(options.SecretAccessKey))
        {
            return string.IsNullOrEmpty(options.SessionToken)
                ? new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey)
                : new SessionAWSCredentials(options.AccessKeyId, options.SecretAccessKey, options.SessionToken);
        }
        if (!string.IsNullOrEmpty(options.Profile))
        {
            var chain = new Amazon.Runtime.CredentialManagement.CredentialProfileStoreChain();
            if (chain.TryGetAWSCredentials(options.Profile, out var fromProfile)) return fromProfile;
            throw new InvalidOperationException($"The AWS profile '{options.Profile}' was not found or has no usable credentials.");
        }
        return DefaultAWSCredentialsIdentityResolver.GetCredentials();
    }

    public async ValueTask<SqsCredentials> GetCredentialsAsync(CancellationToken cancellationToken)
    {
        var immutable = await _credentials.Value.GetCredentialsAsync().ConfigureAwait(false);
        return new SqsCredentials(immutable.AccessKey, immutable.SecretKey, immutable.UseToken ? immutable.Token : null);
    }
}
