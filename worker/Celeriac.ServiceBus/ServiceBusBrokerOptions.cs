using Celeriac.Brokers.Remote;

namespace Celeriac.ServiceBus;

/// <summary>
/// The Service Bus broker's settings, bound from <c>Celeriac:Broker:ServiceBus</c>. The receive loop's settings come from
/// <see cref="RemoteQueueOptions"/>. The connection settings are used only when the app did not register its own
/// <c>ServiceBusClient</c> / <c>ServiceBusAdministrationClient</c>.
/// </summary>
public sealed class ServiceBusBrokerOptions : RemoteQueueOptions
{
    public const string Section = "Celeriac:Broker:ServiceBus";

    /// <summary>
    /// <c>Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=...;SharedAccessKey=...</c> (a SAS key), or with
    /// <c>UseDevelopmentEmulator=true</c> (plain AMQP and HTTP to the endpoint's host and port). Wins over <see cref="FullyQualifiedNamespace"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary><c>ns.servicebus.windows.net</c>: tokens from Microsoft Entra ID through Azure.Identity's DefaultAzureCredential (AKS workload identity, managed identity, ...).</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>With <see cref="FullyQualifiedNamespace"/>: the client id of a user-assigned managed identity or workload identity, if not in AZURE_CLIENT_ID.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>
    /// A connection string for the administration client only (queue counts, creation, listing), when its endpoint differs
    /// from <see cref="ConnectionString"/>'s: Microsoft's Service Bus emulator answers management on a second port.
    /// </summary>
    public string? AdministrationConnectionString { get; set; }

    /// <summary>Service Bus queue name = prefix + Celeriac queue name (one queue per priority level).</summary>
    public string QueuePrefix { get; set; } = "";

    /// <summary>
    /// The queues' LockDuration (Service Bus's default is 1 minute, its maximum 5). Queues the broker creates get it; for
    /// existing queues set it to theirs or lower: the broker renews a lock when a third of this has passed.
    /// </summary>
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>MaxDeliveryCount of the queues the broker creates; past it the service moves a message to the queue's $DeadLetterQueue.</summary>
    public int MaxDeliveryCount { get; set; } = 10;

    /// <summary>RequiresDuplicateDetection of the queues the broker creates: the message id is the task id, so a re-sent task is dropped within the window.</summary>
    public bool RequiresDuplicateDetection { get; set; }

    /// <summary>How long a receive that should answer at once waits for messages the service is still transferring (AMQP has no "answer now").</summary>
    public TimeSpan ReadyWait { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Retries of an operation that failed transiently (busy, timeout, lost connection), with the SDK's exponential back-off.</summary>
    public int MaxRetries { get; set; } = 3;
}
