namespace Celeriac.ServiceBus;

/// <summary>A message over the namespace's size limit: refused at enqueue, before anything of its batch is sent.</summary>
public sealed class ServiceBusMessageTooLargeException(string queue, int size, int limit)
    : Exception($"A message for queue '{queue}' is {size} bytes; Service Bus takes at most {limit / 1024} KiB (Standard tier). Keep large payloads in an object store and enqueue a reference.")
{
    public string Queue { get; } = queue;
}
