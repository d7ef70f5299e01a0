namespace Celeriac.Sqs.Client;

/// <summary>One message of a SendMessageBatch. <see cref="Id"/> is unique within the batch.</summary>
public sealed record SqsSendEntry(string Id, string Body)
{
    public int? DelaySeconds { get; init; }
    public IReadOnlyDictionary<string, string>? StringAttributes { get; init; }
    public string? MessageGroupId { get; init; }
    public string? MessageDeduplicationId { get; init; }
}
