using System.Text.Json.Nodes;

namespace Celeriac.Operator.Tests.Fake;

/// <summary>
/// PATCH with a JSON merge patch (<c>application/merge-patch+json</c>, RFC 7386: an object merges key by key, <c>null</c>
/// removes a key, anything else replaces) or a strategic merge patch (<c>application/strategic-merge-patch+json</c>),
/// as "Update API Objects in Place Using kubectl patch" documents them. On maps, such as metadata.annotations and labels,
/// both merge alike; a strategic patch's lists merge by per-field keys this fake does not model, so a strategic patch
/// holding a list or a <c>$</c> directive is refused with 415 rather than applied wrongly. A metadata.resourceVersion in
/// the patch is a precondition (409 Conflict when stale); name, namespace, uid and creationTimestamp stay; as with every
/// write, .status changes only through /status.
/// </summary>
public sealed partial class FakeKubernetesApi
{
    public const string MergePatchType = "application/merge-patch+json";
    public const string StrategicMergePatchType = "application/strategic-merge-patch+json";

    private (int, JsonObject) MergePatch(FakeResource resource, string? ns, string name, string? subresource, bool strategic, JsonObject body)
    {
        if (strategic && Unsupported(body) is { } where)
            return (415, StatusObject(415, "UnsupportedMediaType", $"this fake applies strategic merge patches to maps only; {where}"));
        lock (gate)
        {
            var key = Key(ResourceKey(resource), ns, name);
            if (!objects.TryGetValue(key, out var current)) return NotFound(resource, name);
            if (StaleWrite(resource, name, body, current) is { } conflict) return conflict;
            var merged = (JsonObject)Merge(current.DeepClone(), body)!;
            JsonObject next;
            if (subresource == "status")
            {
                next = (JsonObject)current.DeepClone();
                next["status"] = merged["status"]?.DeepClone();
            }
            else
            {
                next = merged;
                if (resource.HasStatus) next["status"] = current["status"]?.DeepClone();
                foreach (var field in new[] { "name", "namespace", "uid", "creationTimestamp", "generation" })
                    next["metadata"]![field] = current["metadata"]![field]?.DeepClone();
                next["apiVersion"] = resource.ApiVersion;
                next["kind"] = resource.Kind;
            }
            return (200, Store(ResourceKey(resource), key, next, "MODIFIED", current));
        }
    }

    /// <summary>RFC 7386's MergePatch(target, patch).</summary>
    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject changes) return patch?.DeepClone();
        var result = target as JsonObject ?? new JsonObject();
        foreach (var (field, value) in changes)
        {
            if (value is null) result.Remove(field);
            else result[field] = Merge(result[field]?.DeepClone(), value);
        }
        return result;
    }

    private static string? Unsupported(JsonNode? node, string path = "")
    {
        switch (node)
        {
            case JsonArray: return $"{path} is a list";
            case JsonObject obj:
                foreach (var (field, value) in obj)
                {
                    if (field.StartsWith('$')) return $"{path}.{field} is a directive";
                    if (Unsupported(value, $"{path}.{field}") is { } found) return found;
                }
                return null;
            default: return null;
        }
    }
}
