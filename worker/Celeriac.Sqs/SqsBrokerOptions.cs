using Celeriac.Sqs.Client;

namespace Celeriac.Sqs;

/// <summary>The SQS broker's settings, bound from <c>Celeriac:Broker:Sqs</c>.</summary>
public sealed class SqsBrokerOptions
{
    /// <summary>Queue URL = prefix + Celeriac queue name, e.g. <c>https://sqs.eu-west-1.amazonaws.com/123456789012/billing-</c>.</summary>
    public string? QueueUrlPrefix { get; set; }

    /// <summary>Explicit URLs per Celeriac queue name; they win over <see cref="QueueUrlPrefix"/>.</summary>
    public Dictionary<string, string> QueueUrls { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Celeriac's own dead-letter queue (poison messages, exhausted retries, with the reason attached).</summary>
    public string DeadLetterQueue { get; set; } = "dead-letters";

    /// <summary>Create missing queues on first use (development, emulators). Production queues usually come from infrastructure code.</summary>
    public bool AutoCreateQueues { get; set; }

    public string? Region { get; set; }
    public string? Endpoint { get; set; }
    public string? Profile { get; set; }
    public string? AccessKeyId { get; set; }
    public string? SecretAccessKey { get; set; }
    public string? SessionToken { get; set; }
    public int MaxRetries { get; set; } = 4;

    /// <summary>Longest long poll (SQS allows 20 s).</summary>
    public int LongPollSeconds { get; set; } = 20;

    /// <summary>With several queues and all empty, the long poll on one queue lasts at most this, so the others are looked at again soon.</summary>
    public int MultiQueuePollSeconds { get; set; } = 1;

    /// <summary>A queue found empty is not asked again for this long (unless this instance sent to it), so empty priority levels cost few requests.</summary>
    public TimeSpan EmptyQueueBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>When many slots are free, up to this many full receives of 10 go out at once.</summary>
    public int MaxParallelReceives { get; set; } = 4;

    /// <summary>Largest message (body and attributes): SQS's limit.</summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024;

    /// <summary>FIFO queues: the envelope header that names the message group; messages without it go to <see cref="DefaultMessageGroupId"/>.</summary>
    public string MessageGroupHeader { get; set; } = "message-group";

    public string DefaultMessageGroupId { get; set; } = "default";

    /// <summary>
    /// Some emulators (local-aws-sqs) count received, not yet deleted messages in ApproximateNumberOfMessages as well as
    /// in ApproximateNumberOfMessagesNotVisible; SQS counts them only in the latter.
    /// </summary>
    public bool ReadyCountIncludesInFlight { get; set; }

    /// <summary>
    /// Some emulators (local-aws-sqs) count a ChangeMessageVisibility as a receive in ApproximateReceiveCount; with this
    /// set, the visibility changes this broker made are taken off again. SQS does not, so leave it off there.
    /// </summary>
    public bool VisibilityChangeCountsAsReceive { get; set; }

    /// <summary>The client settings these broker settings carry.</summary>
    public SqsClientOptions ToClientOptions() => new()
    {
        Region = Region,
        Endpoint = Endpoint,
        Profile = Profile,
        AccessKeyId = AccessKeyId,
        SecretAccessKey = SecretAccessKey,
        SessionToken = SessionToken,
        MaxRetries = MaxRetries,
    };
}
