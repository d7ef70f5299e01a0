namespace Celeriac.Sqs.Client;

/// <summary>One entry of a DeleteMessageBatch.</summary>
public readonly record struct SqsReceiptEntry(string Id, string ReceiptHandle);
