namespace Celeriac.Brokers;

/// <summary>A message (body and the transport's attributes) is larger than its transport accepts; nothing of the call was sent.</summary>
public sealed class MessageTooLargeException(string queue, int size, int limit)
    : InvalidOperationException($"A message for queue '{queue}' is {size} bytes with its attributes; the broker accepts at most {limit}. Keep large payloads in an object store (S3, Blob Storage) and pass a reference in the task's arguments.")
{
    public string Queue { get; } = queue;
    public int Size { get; } = size;
    public int Limit { get; } = limit;
}
