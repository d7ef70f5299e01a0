namespace Celeriac.ServiceBus.Client;

/// <summary>
/// A message for Send Message Batch. <see cref="Body"/> is text (the batch format carries bodies as JSON strings);
/// <see cref="Properties"/> become the message's application (custom) properties.
/// </summary>
public sealed record ServiceBusOutgoingMessage(string Body)
{
    public string? MessageId { get; init; }
    public DateTimeOffset? ScheduledEnqueueTimeUtc { get; init; }
    public TimeSpan? TimeToLive { get; init; }
    public IReadOnlyDictionary<string, string>? Properties { get; init; }
}
