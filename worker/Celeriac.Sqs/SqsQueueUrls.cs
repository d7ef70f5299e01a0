namespace Celeriac.Sqs;

/// <summary>What Celeriac reads from SQS queue URLs that the SDK does not: a standard URL's region and a queue's name.</summary>
public static class SqsQueueUrls
{
    /// <summary>The region of a standard SQS queue URL (<c>https://sqs.eu-west-1.amazonaws.com/123/q</c>), else null.</summary>
    public static string? Region(string? queueUrl)
    {
        if (queueUrl is null || !Uri.TryCreate(queueUrl, UriKind.Absolute, out var uri)) return null;
        var labels = uri.Host.Split('.');
        return labels.Length >= 4 && labels[0] == "sqs" && labels[2] == "amazonaws" ? labels[1] : null;
    }

    /// <summary>The queue name: the last path segment.</summary>
    public static string Name(string queueUrl) => queueUrl[(queueUrl.LastIndexOf('/') + 1)..];

    public static bool IsFifo(string queueUrl) => queueUrl.EndsWith(".fifo", StringComparison.Ordinal);
}
