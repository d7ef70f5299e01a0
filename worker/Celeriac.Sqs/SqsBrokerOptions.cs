using Celeriac.Brokers.Remote;

namespace Celeriac.Sqs;

/// <summary>The SQS broker's settings, bound from <c>Celeriac:Broker:Sqs</c>. The receive loop's settings come from <see cref="RemoteQueueOptions"/>.</summary>
public sealed class SqsBrokerOptions : RemoteQueueOptions
{
    public const string Section = "Celeriac:Broker:Sqs";

    /// <summary>Queue URL = prefix + Celeriac queue name, e.g. <c>https://sqs.eu-west-1.amazonaws.com/123456789012/billing-</c>.</summary>
    public string? QueueUrlPrefix { get; set; }

    /// <summary>Explicit URLs per Celeriac queue name; they win over <see cref="QueueUrlPrefix"/>.</summary>
    public Dictionary<string, string> QueueUrls { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Celeriac's own dead-letter queue (poison messages, exhausted retries, with the reason attached).</summary>
    public string DeadLetterQueue { get; set; } = "dead-letters";

    /// <summary>
    /// The region, e.g. <c>eu-west-1</c>. Unset: the region of a standard queue URL, else the SDK's region chain
    /// (<c>AWS_REGION</c>, the profile, instance metadata). Not used when the app registered its own <c>IAmazonSQS</c>.
    /// </summary>
    public string? Region { get; set; }

    /// <summary>The service URL (a VPC endpoint, an emulator). Unset: the SDK's own <c>AWS_ENDPOINT_URL_SQS</c>/<c>AWS_ENDPOINT_URL</c>, else the regional endpoint.</summary>
    public string? Endpoint { get; set; }

    /// <summary>A named profile of the shared AWS config files instead of the SDK's default credential chain.</summary>
    public string? Profile { get; set; }

    /// <summary>Static keys (a Secret the operator maps, emulators). Unset: the SDK's default chain (IRSA, EKS Pod Identity, SSO, profiles, instance roles).</summary>
    public string? AccessKeyId { get; set; }
    public string? SecretAccessKey { get; set; }
    public string? SessionToken { get; set; }

    /// <summary>Retries of a request that was throttled, failed with a 5xx or did not reach the service (the SDK's standard retry mode).</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>Largest message (body and attributes): SQS's limit.</summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024;

    /// <summary>FIFO queues: the envelope header that names the message group; messages without it go to <see cref="DefaultMessageGroupId"/>.</summary>
    public string MessageGroupHeader { get; set; } = "message-group";

    public string DefaultMessageGroupId { get; set; } = "default";
}
