using System.Text.Json.Nodes;

namespace Celeriac.Operator.Kubernetes;

/// <summary>
/// The few Kubernetes API calls the operator makes. Objects are JSON trees; errors are
/// <see cref="KubernetesApiException"/>. Swapping in the official client is a change of this folder.
/// </summary>
public interface IKubernetesClient
{
    /// <returns>The object, or null when it does not exist.</returns>
    Task<JsonObject?> GetAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken);

    /// <param name="ns">Null lists across all namespaces.</param>
    Task<ObjectList> ListAsync(ResourceType type, string? ns, string? labelSelector, CancellationToken cancellationToken);

    /// <summary>Changes after <paramref name="resourceVersion"/>, with bookmarks. Ends when the server closes the stream; throws 410 when the version is too old.</summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(ResourceType type, string? ns, string resourceVersion, string? labelSelector, CancellationToken cancellationToken);

    Task<JsonObject> CreateAsync(ResourceType type, JsonObject obj, CancellationToken cancellationToken);

    /// <summary>PUT: fails with 409 when the object's metadata.resourceVersion is not the current one.</summary>
    Task<JsonObject> ReplaceAsync(ResourceType type, JsonObject obj, CancellationToken cancellationToken);

    /// <summary>Server-side apply of <paramref name="obj"/> (the fields this manager owns), to the object or its subresource.</summary>
    Task<JsonObject> ApplyAsync(ResourceType type, JsonObject obj, string fieldManager, bool force, string? subresource, CancellationToken cancellationToken);

    /// <returns>False when the object did not exist.</returns>
    Task<bool> DeleteAsync(ResourceType type, string? ns, string name, string? uid, CancellationToken cancellationToken);

    /// <summary>API discovery: whether the server serves this resource (e.g. the Prometheus Operator's CRDs).</summary>
    Task<bool> IsServedAsync(ResourceType type, CancellationToken cancellationToken);
}
