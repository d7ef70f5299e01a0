namespace Celeriac.ServiceBus;

/// <summary>Application properties the broker sets on the messages it sends.</summary>
internal static class ServiceBusProperties
{
    public const string Task = "celeriac-task";
    public const string Attempt = "celeriac-attempt";
    /// <summary>"base64" when the body is not text the batch format can carry.</summary>
    public const string Encoding = "celeriac-encoding";
    /// <summary>Deliveries before a delayed release re-sent the message (its DeliveryCount starts again at 1).</summary>
    public const string Deliveries = "celeriac-deliveries";
    public const string Reason = "celeriac-reason";
    public const string SourceQueue = "celeriac-source-queue";
    public const string DeadLetteredAt = "celeriac-dead-lettered-at";
    /// <summary>Envelope headers travel as properties with this prefix (traceparent, correlation-id, ...).</summary>
    public const string HeaderPrefix = "celeriac-h-";
}
