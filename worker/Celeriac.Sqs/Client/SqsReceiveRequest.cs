namespace Celeriac.Sqs.Client;

/// <summary>A ReceiveMessage call; system attributes ApproximateReceiveCount and SentTimestamp and all message attributes are always requested.</summary>
public sealed record SqsReceiveRequest(string QueueUrl, int MaxNumberOfMessages, int VisibilityTimeoutSeconds, int WaitTimeSeconds);
