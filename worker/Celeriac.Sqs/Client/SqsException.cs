using System.Net;

namespace Celeriac.Sqs.Client;

/// <summary>An SQS error response (or a transport failure, with <see cref="StatusCode"/> null) for a whole request.</summary>
public sealed class SqsException : Exception
{
    public SqsException(string message) : base(message) { }

    public SqsException(string message, Exception innerException) : base(message, innerException) { }

    public SqsException(string action, HttpStatusCode? statusCode, string errorCode, string? errorMessage, Exception? innerException = null)
        : base($"SQS {action} failed ({(statusCode is { } s ? (int)s : 0)} {errorCode}): {errorMessage}", innerException)
    {
        Action = action;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
    }

    public string Action { get; } = "";
    public HttpStatusCode? StatusCode { get; }
    /// <summary>The short error code (<c>QueueDoesNotExist</c>, <c>ThrottlingException</c>, ...), without the shape namespace.</summary>
    public string ErrorCode { get; } = "";
    public string? ErrorMessage { get; }

    public bool IsQueueMissing => SqsErrorCodes.IsQueueMissing(ErrorCode);
}
