namespace Celeriac.Sqs.Client;

/// <summary>A received message with the system attributes Celeriac reads and its string message attributes.</summary>
public sealed record SqsMessage(string MessageId, string ReceiptHandle, string Body)
{
    public int ApproximateReceiveCount { get; init; } = 1;
    public DateTimeOffset? SentTimestamp { get; init; }
    public IReadOnlyDictionary<string, string> StringAttributes { get; init; } = new Dictionary<string, string>();
}
