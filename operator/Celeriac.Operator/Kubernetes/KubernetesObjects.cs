using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Celeriac.Operator.Kubernetes;

/// <summary>
/// The operator's calls that take a <see cref="ResourceType"/>, on KubernetesClient: custom objects (the TaskQueue) as JSON
/// trees, server-side apply of rendered objects (through the typed API of a built-in kind, the custom-objects API for a CRD's),
/// owned objects listed by their metadata and deleted with a uid precondition, discovery, and watches.
/// </summary>
public static class KubernetesObjects
{
    /// <returns>The object, or null when it does not exist.</returns>
    public static Task<JsonObject?> GetAsync(this IKubernetes client, ResourceType type, string ns, string name, CancellationToken cancellationToken) =>
        client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(type.Group, type.Version, ns, type.Plural, name, cancellationToken).OrNullAsync();

    /// <param name="ns">Null lists across all namespaces.</param>
    /// <returns>The items (with apiVersion and kind, which list items lack) and the list's resourceVersion, to watch from.</returns>
    public static async Task<(IReadOnlyList<JsonObject> Items, string ResourceVersion)> ListAsync(this IKubernetes client, ResourceType type, string? ns,
        string? labelSelector, CancellationToken cancellationToken)
    {
        var list = ns is null
            ? await client.CustomObjects.ListCustomObjectForAllNamespacesAsync<JsonObject>(type.Group, type.Version, type.Plural,
                labelSelector: labelSelector, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>(type.Group, type.Version, ns, type.Plural,
                labelSelector: labelSelector, cancellationToken: cancellationToken).ConfigureAwait(false);
        var items = list["items"]?.AsArray().OfType<JsonObject>().Select(i => (JsonObject)i.DeepClone()).ToList() ?? [];
        foreach (var item in items)
        {
            item["apiVersion"] ??= type.ApiVersion;
            item["kind"] ??= type.Kind;
        }
        return (items, list["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "");
    }

    /// <summary>Changes after <paramref name="resourceVersion"/>, with bookmarks; ends when the server closes the stream.</summary>
    /// <exception cref="KubernetesException">An ERROR event, e.g. 410 Gone when the version is older than the server keeps.</exception>
    public static async IAsyncEnumerable<(WatchEventType Type, JsonObject Object)> WatchAsync(this IKubernetes client, ResourceType type, string? ns,
        string resourceVersion, string? labelSelector, TimeSpan timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seconds = (int)timeout.TotalSeconds;
        var events = ns is null
            ? client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(type.Group, type.Version, type.Plural, allowWatchBookmarks: true,
                labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: seconds, onError: Rethrow, cancellationToken: cancellationToken)
            : client.CustomObjects.WatchListNamespacedCustomObjectAsync(type.Group, type.Version, ns, type.Plural, allowWatchBookmarks: true,
                labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: seconds, onError: Rethrow, cancellationToken: cancellationToken);
        await foreach (var (eventType, obj) in events.ConfigureAwait(false))
        {
            if (JsonNodeOf(obj) is JsonObject json) yield return (eventType, json);
        }
    }

    /// <summary>
    /// KubernetesClient hands a watch's ERROR event (and an event it cannot read) to this callback and reads on; thrown here, it
    /// ends the watch in the caller, which relists on 410 Gone as the API conventions ask.
    /// </summary>
    public static void Rethrow(Exception error) => ExceptionDispatchInfo.Throw(error);

    /// <summary>Server-side apply of a rendered object, forcing the fields this manager sets; the answer is typed for the built-in kinds.</summary>
    public static async Task<object> ApplyAsync(this IKubernetes client, JsonObject obj, string fieldManager, CancellationToken cancellationToken)
    {
        var type = ResourceTypes.ForKind(obj["apiVersion"]!.GetValue<string>(), obj["kind"]!.GetValue<string>());
        var (ns, name) = NamespaceAndName(obj);
        // JSON is YAML, so the object's JSON is the apply configuration.
        var patch = new V1Patch(obj.ToJsonString(), V1Patch.PatchType.ApplyPatch);
        if (type == ResourceTypes.Deployments)
            return await client.AppsV1.PatchNamespacedDeploymentAsync(patch, name, ns, fieldManager: fieldManager, force: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (type == ResourceTypes.PodDisruptionBudgets)
            return await client.PolicyV1.PatchNamespacedPodDisruptionBudgetAsync(patch, name, ns, fieldManager: fieldManager, force: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (type == ResourceTypes.Services)
            return await client.CoreV1.PatchNamespacedServiceAsync(patch, name, ns, fieldManager: fieldManager, force: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, type.Group, type.Version, ns, type.Plural, name,
            fieldManager: fieldManager, force: true, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Server-side apply to a custom object's status subresource, forcing the fields this manager sets.</summary>
    public static Task ApplyStatusAsync(this IKubernetes client, ResourceType type, JsonObject obj, string fieldManager, CancellationToken cancellationToken)
    {
        var (ns, name) = NamespaceAndName(obj);
        return client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch(obj.ToJsonString(), V1Patch.PatchType.ApplyPatch),
            type.Group, type.Version, ns, type.Plural, name, fieldManager: fieldManager, force: true, cancellationToken: cancellationToken);
    }

    /// <summary>The metadata (name, uid, owners) of the objects of a type that match a label selector.</summary>
    public static async Task<IList<PartialObjectMetadata>> ListMetadataAsync(this IKubernetes client, ResourceType type, string ns, string labelSelector,
        CancellationToken cancellationToken)
    {
        var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<KubernetesList<PartialObjectMetadata>>(type.Group, type.Version, ns, type.Plural,
            labelSelector: labelSelector, cancellationToken: cancellationToken).ConfigureAwait(false);
        return list.Items ?? [];
    }

    /// <summary>Deletes in the background (the garbage collector removes dependents), only the object with this uid when given.</summary>
    /// <returns>False when the object did not exist.</returns>
    public static async Task<bool> DeleteAsync(this IKubernetes client, ResourceType type, string ns, string name, string? uid, CancellationToken cancellationToken)
    {
        var options = new V1DeleteOptions
        {
            PropagationPolicy = "Background",
            Preconditions = uid is null ? null : new V1Preconditions { Uid = uid },
        };
        try
        {
            await client.CustomObjects.DeleteNamespacedCustomObjectAsync(type.Group, type.Version, ns, type.Plural, name, options,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.IsNotFound())
        {
            return false;
        }
    }

    /// <summary>API discovery: whether the server serves this resource (e.g. the Prometheus Operator's ServiceMonitor).</summary>
    public static async Task<bool> IsServedAsync(this IKubernetes client, ResourceType type, CancellationToken cancellationToken)
    {
        var resources = await client.CustomObjects.GetAPIResourcesAsync(type.Group, type.Version, cancellationToken).OrNullAsync().ConfigureAwait(false);
        return resources?.Resources?.Any(r => r.Name == type.Plural) ?? false;
    }

    private static (string Namespace, string Name) NamespaceAndName(JsonObject obj) => (
        obj["metadata"]?["namespace"]?.GetValue<string>() ?? throw new ArgumentException("the object has no metadata.namespace"),
        obj["metadata"]?["name"]?.GetValue<string>() ?? throw new ArgumentException("the object has no metadata.name"));

    /// <summary>A custom object as KubernetesClient hands it over (a JsonElement), as a JSON tree.</summary>
    private static JsonNode? JsonNodeOf(object? obj) => obj switch
    {
        JsonNode node => node,
        System.Text.Json.JsonElement element => JsonNode.Parse(element.GetRawText()),
        null => null,
        _ => JsonNode.Parse(KubernetesJson.Serialize(obj)),
    };
}
