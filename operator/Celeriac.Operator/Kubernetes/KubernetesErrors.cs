using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Celeriac.Operator.Kubernetes;

/// <summary>What an error answer of the API server says, as KubernetesClient reports it (<see cref="HttpOperationException"/>).</summary>
public static class KubernetesErrors
{
    public static int StatusCode(this HttpOperationException e) => (int)(e.Response?.StatusCode ?? 0);

    public static bool IsNotFound(this HttpOperationException e) => e.Response?.StatusCode == HttpStatusCode.NotFound;

    public static bool IsConflict(this HttpOperationException e) => e.Response?.StatusCode == HttpStatusCode.Conflict;

    /// <summary>The code, reason and message of the Status object the server answered with (what kubectl prints), else the body.</summary>
    public static string Describe(this HttpOperationException e)
    {
        var content = e.Response?.Content ?? "";
        try
        {
            if (content.Length > 0 && KubernetesJson.Deserialize<V1Status>(content) is { Message.Length: > 0 } status)
                return $"{e.StatusCode()} {status.Reason}: {status.Message}";
        }
        catch (JsonException)
        {
        }
        return $"{e.StatusCode()} {e.Response?.ReasonPhrase}: {content}";
    }

    /// <summary>The object read, or null when the server answers 404 Not Found.</summary>
    public static async Task<T?> OrNullAsync<T>(this Task<T> read)
        where T : class
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.IsNotFound())
        {
            return null;
        }
    }
}
