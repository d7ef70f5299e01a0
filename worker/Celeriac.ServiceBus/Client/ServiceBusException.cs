using System.Net;

namespace Celeriac.ServiceBus.Client;

/// <summary>A request the service answered with an error (after retries, for the retryable ones).</summary>
public sealed class ServiceBusException(string operation, HttpStatusCode status, string? detail)
    : Exception($"Service Bus {operation} failed with {(int)status} {status}{(string.IsNullOrWhiteSpace(detail) ? "" : ": " + detail)}")
{
    public string Operation { get; } = operation;
    public HttpStatusCode Status { get; } = status;

    /// <summary>410 Gone (the REST API's "queue does not exist" for send and receive) or 404.</summary>
    public bool IsEntityMissing => Status is HttpStatusCode.Gone or HttpStatusCode.NotFound;
}
