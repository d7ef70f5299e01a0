namespace Celeriac.Operator.Kubernetes;

/// <summary>A non-success answer of the API server, with its HTTP code and the Status reason.</summary>
public sealed class KubernetesApiException(int statusCode, string reason, string message)
    : Exception($"Kubernetes API {statusCode} {reason}: {message}")
{
    public int StatusCode { get; } = statusCode;
    public string Reason { get; } = reason;

    public bool IsNotFound => StatusCode == 404;
    public bool IsConflict => StatusCode == 409;

    /// <summary>410 Gone: the resourceVersion asked for is older than the server keeps; relist.</summary>
    public bool IsGone => StatusCode == 410;
}
