using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Celeriac.Operator.Tests.Fake;

/// <summary>
/// The Deployment's <c>scale</c> subresource as the API server serves it: an <c>autoscaling/v1</c> Scale whose
/// spec.replicas is the Deployment's spec.replicas and whose status is the Deployment's status.replicas and its
/// selector. An apply to it makes the field manager the owner of the Deployment's spec.replicas, so an apply of the
/// Deployment by another manager that leaves replicas out never resets them.
/// </summary>
public sealed partial class FakeKubernetesApi
{
    /// <summary>Writes to the scale subresource so far (PUT or apply), for tests that count scale events.</summary>
    public int ScaleWrites
    {
        get { lock (gate) return scaleWrites; }
    }

    private int scaleWrites;

    private async Task ScaleAsync(HttpContext context, FakeResource resource, string? ns, string name)
    {
        var request = context.Request;
        (int, JsonObject) result;
        switch (request.Method)
        {
            case "GET":
                result = ReadScale(resource, ns, name);
                break;
            case "PUT":
                result = WriteScale(resource, ns, name, await BodyAsync(context).ConfigureAwait(false), fieldManager: null, force: false);
                break;
            case "PATCH" when request.ContentType?.StartsWith("application/apply-patch+yaml", StringComparison.Ordinal) == true:
                var manager = request.Query["fieldManager"].ToString();
                if (manager.Length == 0)
                {
                    result = (400, StatusObject(400, "BadRequest", "PATCH with apply requires a fieldManager"));
                    break;
                }
                result = WriteScale(resource, ns, name, await BodyAsync(context).ConfigureAwait(false), manager, request.Query["force"] == "true");
                break;
            default:
                result = (405, StatusObject(405, "MethodNotAllowed", $"{request.Method} is not supported on scale"));
                break;
        }
        await WriteResultAsync(context, result).ConfigureAwait(false);
    }

    private (int, JsonObject) ReadScale(FakeResource resource, string? ns, string name)
    {
        lock (gate)
        {
            return objects.TryGetValue(Key(ResourceKey(resource), ns, name), out var deployment) ? (200, ToScale(deployment)) : NotFound(resource, name);
        }
    }

    private (int, JsonObject) WriteScale(FakeResource resource, string? ns, string name, JsonObject body, string? fieldManager, bool force)
    {
        if (body["apiVersion"]?.GetValue<string>() != "autoscaling/v1" || body["kind"]?.GetValue<string>() != "Scale")
            return (400, StatusObject(400, "BadRequest", "the body must be an autoscaling/v1 Scale"));
        if (body["spec"]?["replicas"] is not JsonValue replicasNode || !replicasNode.TryGetValue<int>(out var replicas) || replicas < 0)
            return (422, StatusObject(422, "Invalid", "spec.replicas: Invalid value: must be greater than or equal to 0"));
        lock (gate)
        {
            var key = Key(ResourceKey(resource), ns, name);
            if (!objects.TryGetValue(key, out var current)) return NotFound(resource, name);
            var sent = body["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (fieldManager is null && sent is not null && sent != current["metadata"]!["resourceVersion"]!.GetValue<string>())
                return (409, StatusObject(409, "Conflict", $"Operation cannot be fulfilled on deployments.apps \"{name}\": the object has been modified"));
            var next = (JsonObject)current.DeepClone();
            if (fieldManager is not null)
            {
                if (!managers.TryGetValue(key, out var owners)) owners = managers[key] = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
                var applied = new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } };
                var conflicts = ServerSideApply.Apply(next, applied, fieldManager, force, owners, path => path == "spec" + ServerSideApply.Separator + "replicas");
                if (conflicts.Count > 0)
                    return (409, StatusObject(409, "Conflict", $"Apply failed with {conflicts.Count} conflict(s): {string.Join(", ", conflicts)}"));
            }
            else
            {
                next["spec"]!["replicas"] = replicas;
            }
            scaleWrites++;
            return (200, ToScale(Store(ResourceKey(resource), key, next, "MODIFIED", current)));
        }
    }

    private static JsonObject ToScale(JsonObject deployment)
    {
        var metadata = deployment["metadata"]!;
        var labels = deployment["spec"]?["selector"]?["matchLabels"]?.AsObject();
        return new JsonObject
        {
            ["apiVersion"] = "autoscaling/v1",
            ["kind"] = "Scale",
            ["metadata"] = new JsonObject
            {
                ["name"] = metadata["name"]?.DeepClone(),
                ["namespace"] = metadata["namespace"]?.DeepClone(),
                ["uid"] = metadata["uid"]?.DeepClone(),
                ["resourceVersion"] = metadata["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = metadata["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = deployment["spec"]?["replicas"]?.GetValue<int>() ?? 0 },
            ["status"] = new JsonObject
            {
                ["replicas"] = deployment["status"]?["replicas"]?.GetValue<int>() ?? 0,
                ["selector"] = labels is null ? "" : string.Join(',', labels.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Key}={l.Value}"))),
            },
        };
    }
}
