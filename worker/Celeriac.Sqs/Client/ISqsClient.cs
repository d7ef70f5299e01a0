namespace Celeriac.Sqs.Client;

/// <summary>
/// The few Amazon SQS actions Celeriac uses. The broker depends on this interface only, so the thin JSON
/// client behind it can be swapped for AWSSDK.SQS by replacing this folder. Errors of a whole request are
/// thrown as <see cref="SqsException"/>; errors of single entries of a batch are returned per entry.
/// </summary>
public interface ISqsClient
{
    Task<SqsBatchResult> SendMessageBatchAsync(string queueUrl, IReadOnlyList<SqsSendEntry> entries, CancellationToken cancellationToken);

    Task<IReadOnlyList<SqsMessage>> ReceiveMessageAsync(SqsReceiveRequest request, CancellationToken cancellationToken);

    Task<SqsBatchResult> DeleteMessageBatchAsync(string queueUrl, IReadOnlyList<SqsReceiptEntry> entries, CancellationToken cancellationToken);

    Task<SqsBatchResult> ChangeMessageVisibilityBatchAsync(string queueUrl, IReadOnlyList<SqsVisibilityEntry> entries, CancellationToken cancellationToken);

    Task ChangeMessageVisibilityAsync(string queueUrl, string receiptHandle, int visibilityTimeoutSeconds, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, string>> GetQueueAttributesAsync(string queueUrl, IReadOnlyList<string> attributeNames, CancellationToken cancellationToken);

    /// <summary>Creates the queue, or returns the URL of the existing one with the same attributes.</summary>
    Task<string> CreateQueueAsync(string queueName, IReadOnlyDictionary<string, string>? attributes, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> ListQueuesAsync(string? queueNamePrefix, CancellationToken cancellationToken);

    Task PurgeQueueAsync(string queueUrl, CancellationToken cancellationToken);
}
