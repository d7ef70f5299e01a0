namespace Celeriac.Sqs.Client;

/// <summary>Error codes of the SQS JSON protocol that the client and the broker tell apart.</summary>
public static class SqsErrorCodes
{
    public const string QueueDoesNotExist = "QueueDoesNotExist";
    public const string NonExistentQueue = "AWS.SimpleQueueService.NonExistentQueue";
    public const string ReceiptHandleIsInvalid = "ReceiptHandleIsInvalid";
    public const string MessageNotInflight = "MessageNotInflight";
    public const string PurgeQueueInProgress = "PurgeQueueInProgress";

    private static readonly HashSet<string> Throttling = new(StringComparer.Ordinal)
    {
        "ThrottlingException", "Throttling", "RequestThrottled", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "KmsThrottled", "KMS.ThrottlingException", "ServiceUnavailable",
        "InternalFailure", "InternalError", "RequestTimeout", "RequestTimeoutException", "SlowDown",
    };

    public static bool IsQueueMissing(string code) =>
        code is QueueDoesNotExist or NonExistentQueue || code.EndsWith(".NonExistentQueue", StringComparison.Ordinal);

    /// <summary>Throttling and transient service errors: worth a retry with backoff.</summary>
    public static bool IsTransient(string code) => Throttling.Contains(code);

    /// <summary>A receipt that no longer holds the message (it was received again, deleted, or its visibility ran out).</summary>
    public static bool IsStaleReceipt(string code) =>
        code is ReceiptHandleIsInvalid or MessageNotInflight || code.EndsWith(".MessageNotInflight", StringComparison.Ordinal)
        || code is "InvalidParameterValue" or "ReceiptHandleIsInvalidException";
}
