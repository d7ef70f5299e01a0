namespace Celeriac.Sqs.Client;

/// <summary>How the client reaches SQS. Unset values come from the AWS environment (AWSSDK.Core's chains).</summary>
public sealed class SqsClientOptions
{
    /// <summary>Signing region, e.g. <c>eu-west-1</c>. Unset: from the queue URLs, else AWSSDK.Core's region chain (AWS_REGION, profile, IMDS).</summary>
    public string? Region { get; set; }

    /// <summary>Service endpoint. Unset: <c>AWS_ENDPOINT_URL_SQS</c>, then <c>AWS_ENDPOINT_URL</c>, then the regional endpoint.</summary>
    public string? Endpoint { get; set; }

    /// <summary>A named profile of the shared config files instead of the default chain.</summary>
    public string? Profile { get; set; }

    /// <summary>Explicit keys (tests, emulators). Production should use the default chain (IRSA, Pod Identity, instance roles).</summary>
    public string? AccessKeyId { get; set; }
    public string? SecretAccessKey { get; set; }
    public string? SessionToken { get; set; }

    /// <summary>Retries of a request that was throttled, failed with a 5xx or did not reach the service.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>First retry delay; it doubles per attempt (with jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout of one HTTP attempt beyond the long-poll wait it asks for.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
