using Celeriac.Sqs.Client;

namespace Celeriac.Sqs.Tests.Infrastructure;

/// <summary>An <see cref="ISqsClient"/> that records what the broker sends and receives nothing: for checks of request shapes.</summary>
public sealed class RecordingSqsClient : ISqsClient
{
    public List<(string QueueUrl, SqsSendEntry Entry)> Sent { get; } = [];

    public Task<SqsBatchResult> SendMessageBatchAsync(string queueUrl, IReadOnlyList<SqsSendEntry> entries, CancellationToken cancellationToken)
    {
        lock (Sent) Sent.AddRange(entries.Select(e => (queueUrl, e)));
        return Task.FromResult(new SqsBatchResult([.. entries.Select(e => e.Id)], []));
    }

    public Task<IReadOnlyList<SqsMessage>> ReceiveMessageAsync(SqsReceiveRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SqsMessage>>([]);

    public Task<SqsBatchResult> DeleteMessageBatchAsync(string queueUrl, IReadOnlyList<SqsReceiptEntry> entries, CancellationToken cancellationToken) =>
        Task.FromResult(new SqsBatchResult([.. entries.Select(e => e.Id)], []));

    public Task<SqsBatchResult> ChangeMessageVisibilityBatchAsync(string queueUrl, IReadOnlyList<SqsVisibilityEntry> entries, CancellationToken cancellationToken) =>
        Task.FromResult(new SqsBatchResult([.. entries.Select(e => e.Id)], []));

    public Task ChangeMessageVisibilityAsync(string queueUrl, string receiptHandle, int visibilityTimeoutSeconds, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyDictionary<string, string>> GetQueueAttributesAsync(string queueUrl, IReadOnlyList<string> attributeNames, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());

    public Task<string> CreateQueueAsync(string queueName, IReadOnlyDictionary<string, string>? attributes, CancellationToken cancellationToken) =>
        Task.FromResult("https://sqs.us-east-1.amazonaws.com/123456789012/" + queueName);

    public Task<IReadOnlyList<string>> ListQueuesAsync(string? queueNamePrefix, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);

    public Task PurgeQueueAsync(string queueUrl, CancellationToken cancellationToken) => Task.CompletedTask;
}
