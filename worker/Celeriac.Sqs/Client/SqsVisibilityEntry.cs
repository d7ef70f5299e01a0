namespace Celeriac.Sqs.Client;

/// <summary>One entry of a ChangeMessageVisibilityBatch.</summary>
public readonly record struct SqsVisibilityEntry(string Id, string ReceiptHandle, int VisibilityTimeoutSeconds);
