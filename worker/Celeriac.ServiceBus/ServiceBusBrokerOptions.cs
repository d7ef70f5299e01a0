using Celeriac.ServiceBus.Client;

namespace Celeriac.ServiceBus;

/// <summary>The Service Bus broker's settings, bound from <c>Celeriac:Broker:ServiceBus</c>.</summary>
public sealed class ServiceBusBrokerOptions
{
    /// <summary>
    /// <c>Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=...</c> (a SAS key), or with
    /// <c>UseDevelopmentEmulator=true</c> (plain HTTP to the endpoint's host). Wins over <see cref="FullyQualifiedNamespace"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>ns.servicebus.windows.net</c>: tokens from Microsoft Entra ID through Azure.Identity's DefaultAzureCredential (AKS workload identity, managed identity, ...).</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>With <see cref="FullyQualifiedNamespace"/>: the client id of a user-assigned managed identity or workload identity, if not in AZURE_CLIENT_ID.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Service Bus queue name = prefix + Celeriac queue name (one queue per priority level).</summary>
    public string QueuePrefix { get; set; } = "";

    /// <summary>Celeriac's own dead-letter queue (the REST API cannot dead-letter a message: the broker sends a copy there with the reason, then completes the original).</summary>
    public string DeadLetterQueue { get; set; } = "dead-letters";

    /// <summary>Create missing queues on first use (needs Manage rights; development, emulators).</summary>
    public bool AutoCreateQueues { get; set; }

    /// <summary>
    /// The queues' LockDuration (Service Bus's default is 1 minute). Queues the broker creates get it; for existing queues
    /// set it to theirs or lower: the broker renews a lock when a third of this has passed.
    /// </summary>
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>MaxDeliveryCount of the queues the broker creates; past it the service moves a message to the queue's $DeadLetterQueue.</summary>
    public int MaxDeliveryCount { get; set; } = 10;

    /// <summary>RequiresDuplicateDetection of the queues the broker creates: the message id is the task id, so a re-sent task is dropped within the window.</summary>
    public bool RequiresDuplicateDetection { get; set; }

    /// <summary>Peek-lock requests in flight at once per receive (the REST API returns one message per request).</summary>
    public int ConcurrentReceivers { get; set; } = 16;

    /// <summary>Longest server-side wait of one peek-lock.</summary>
    public int LongPollSeconds { get; set; } = 30;

    /// <summary>With several queues and all empty, one long poll lasts at most this, so the others are looked at again soon.</summary>
    public int MultiQueuePollSeconds { get; set; } = 1;

    /// <summary>A queue found empty is not asked again for this long (unless this instance sent to it).</summary>
    public TimeSpan EmptyQueueBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Largest message (Standard tier: 256 KiB); a batch stays under it too.</summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024;

    public int MaxRetries { get; set; } = 5;

    public ServiceBusClientOptions ToClientOptions() => new() { MaxRetries = MaxRetries };
}
