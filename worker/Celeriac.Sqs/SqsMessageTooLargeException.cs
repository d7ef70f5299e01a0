namespace Celeriac.Sqs;

/// <summary>A task message over SQS's size limit, refused at enqueue before anything of the batch was sent.</summary>
public sealed class SqsMessageTooLargeException : InvalidOperationException
{
    public SqsMessageTooLargeException(string queue, long size, int limit)
        : base($"A task message for queue '{queue}' is {size:N0} bytes, over SQS's limit of {limit:N0} bytes ({limit / 1024} KiB). " +
               "Put the data in an object store (S3) and pass its key in the task's arguments instead.")
    {
        Queue = queue;
        Size = size;
        Limit = limit;
    }

    public SqsMessageTooLargeException() { }
    public SqsMessageTooLargeException(string message) : base(message) { }
    public SqsMessageTooLargeException(string message, Exception innerException) : base(message, innerException) { }

    public string Queue { get; } = "";
    public long Size { get; }
    public int Limit { get; }
}
