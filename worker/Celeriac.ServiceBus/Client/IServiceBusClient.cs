namespace Celeriac.ServiceBus.Client;

/// <summary>
/// The few Service Bus REST operations Celeriac uses. The broker depends on this interface only, so the thin REST
/// client behind it can be swapped for Azure.Messaging.ServiceBus by replacing this folder. Entity paths are queue
/// names, or <c>{queue}/$DeadLetterQueue</c> for a queue's dead-letter subqueue.
/// </summary>
public interface IServiceBusClient
{
    /// <summary>Send Message Batch (<c>application/vnd.microsoft.servicebus.json</c>).</summary>
    Task SendBatchAsync(string queue, IReadOnlyList<ServiceBusOutgoingMessage> messages, CancellationToken cancellationToken);

    /// <summary>Peek-Lock Message: waits up to <paramref name="timeoutSeconds"/> on the service; null when none came (204).</summary>
    Task<ServiceBusReceivedMessage?> PeekLockAsync(string entityPath, int timeoutSeconds, CancellationToken cancellationToken);

    /// <summary>Delete Message (complete). False when the lock was no longer held (404).</summary>
    Task<bool> CompleteAsync(ServiceBusLock messageLock, CancellationToken cancellationToken);

    /// <summary>Unlock Message (abandon). False when the lock was no longer held.</summary>
    Task<bool> UnlockAsync(ServiceBusLock messageLock, CancellationToken cancellationToken);

    /// <summary>Renew-Lock for a Message. False when the lock was no longer held.</summary>
    Task<bool> RenewLockAsync(ServiceBusLock messageLock, CancellationToken cancellationToken);

    /// <summary>The queue's description and counts; null when it does not exist.</summary>
    Task<ServiceBusQueueInfo?> GetQueueAsync(string queue, CancellationToken cancellationToken);

    /// <summary>Creates the queue; an existing one (409) is left as it is.</summary>
    Task CreateQueueAsync(string queue, ServiceBusQueueSettings settings, CancellationToken cancellationToken);

    Task DeleteQueueAsync(string queue, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken);
}
