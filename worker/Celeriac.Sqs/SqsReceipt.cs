namespace Celeriac.Sqs;

/// <summary>One delivery of an SQS message: the queue it came from and the receipt handle of this receive.</summary>
internal sealed record SqsReceipt(string QueueUrl, string ReceiptHandle, string MessageId);
