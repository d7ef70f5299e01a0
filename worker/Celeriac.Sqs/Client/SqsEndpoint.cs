namespace Celeriac.Sqs.Client;

/// <summary>Picks the service endpoint and signing region the way the AWS SDKs do.</summary>
public static class SqsEndpoint
{
    public const string EndpointVariable = "AWS_ENDPOINT_URL_SQS";
    public const string GlobalEndpointVariable = "AWS_ENDPOINT_URL";

    /// <summary>The explicit endpoint, else <c>AWS_ENDPOINT_URL_SQS</c>, else <c>AWS_ENDPOINT_URL</c>, else the regional SQS endpoint.</summary>
    public static Uri Resolve(string? explicitEndpoint, string region, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var configured = FirstNonEmpty(explicitEndpoint, environment(EndpointVariable), environment(GlobalEndpointVariable));
        if (configured is not null)
        {
            if (!Uri.TryCreate(configured, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new InvalidOperationException($"The SQS endpoint '{configured}' is not an absolute http(s) URL.");
            return uri;
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        var domain = region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return new Uri($"https://sqs.{region}.{domain}/");
    }

    /// <summary>The region of a standard SQS queue URL (<c>https://sqs.eu-west-1.amazonaws.com/123/q</c>), else null.</summary>
    public static string? RegionFromQueueUrl(string? queueUrl)
    {
        if (queueUrl is null || !Uri.TryCreate(queueUrl, UriKind.Absolute, out var uri)) return null;
        var labels = uri.Host.Split('.');
        return labels.Length >= 4 && labels[0] == "sqs" && labels[2] == "amazonaws" ? labels[1] : null;
    }

    private static string? FirstNonEmpty(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
}
