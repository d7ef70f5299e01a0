using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Celeriac.Operator.Tests.Fake;

/// <summary>
/// An in-process Kubernetes API server on a loopback port, following the documented API semantics the
/// operator relies on ("API Concepts", "Server-Side Apply", "Garbage Collection"):
/// <list type="bullet">
/// <item>REST paths /api/v1 and /apis/{group}/{version}, namespaced and cluster-wide collections, API discovery (also /api and /apis, for kubectl).</item>
/// <item>Every write bumps one global resourceVersion; a write that changes nothing keeps it. PUT with a stale
/// metadata.resourceVersion answers 409 Conflict; POST of an existing name answers 409 AlreadyExists.</item>
/// <item>metadata.generation increases on changes outside metadata and status.</item>
/// <item>Status subresource: writes to the object ignore .status, writes to /status change only .status.</item>
/// <item>Server-side apply (PATCH application/apply-patch+yaml, fieldManager, force): see <see cref="ServerSideApply"/>.</item>
/// <item>JSON merge patch and strategic merge patch of maps (PATCH application/merge-patch+json, application/strategic-merge-patch+json): see FakeKubernetesApi.Patch.cs.</item>
/// <item>Watch: events after the given resourceVersion, BOOKMARK events when allowWatchBookmarks=true, timeoutSeconds,
/// and a 200 response carrying one ERROR event with a 410 Expired Status when the version is older than the
/// retained history (after <see cref="Compact"/>), as the API server does.</item>
/// <item>Deletion removes the object (at once: no graceful deletion) and answers with a Status, or with the object for pods; the garbage collector is simulated by deleting, in the background after every
/// delete and every write of a dependent, objects whose ownerReferences all name uids that no longer exist (cascading).</item>
/// <item>Defaulting of Deployment spec.replicas to 1 on creation; the Deployment's scale subresource (autoscaling/v1 Scale: GET, PUT, apply).</item>
/// <item>Bearer-token authentication when <see cref="RequiredToken"/> is set: any other request gets 401 Unauthorized, as an
/// API server without anonymous access answers; with a server certificate it serves HTTPS (kubectl sends tokens only over TLS).</item>
/// </list>
/// Its clients are the operator's KubernetesClient and the real kubectl, over real sockets.
/// Not simulated: CEL rules and CRD schema defaulting, admission, authorization, label selectors beyond equality.
/// Test hooks: injected faults, dropping all watches, compaction, and writing Deployment status as its controller would.
/// </summary>
public sealed partial class FakeKubernetesApi : IAsyncDisposable
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, FakeResource> resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> managers = new(StringComparer.Ordinal);
    private readonly List<(long Version, string ResourceKey, string Type, JsonObject Object)> history = [];
    private readonly List<Channel<(long Version, string ResourceKey, string Type, JsonObject Object)>> watchers = [];
    private readonly List<(Func<HttpRequest, bool> Match, int Status, int Remaining)> faults = [];
    private readonly List<string> requests = [];
    private CancellationTokenSource dropWatches = new();
    private long revision = 100;
    private long oldestRetained;
    private WebApplication? app;

    public Uri Url { get; private set; } = new("http://127.0.0.1");

    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>When set, requests without "Authorization: Bearer {token}" get 401 Unauthorized.</summary>
    public string? RequiredToken { get; set; }

    /// <param name="serverCertificate">Serve HTTPS with this certificate (with its private key) instead of plain HTTP.</param>
    public static async Task<FakeKubernetesApi> StartAsync(System.Security.Cryptography.X509Certificates.X509Certificate2? serverCertificate = null)
    {
        var fake = new FakeKubernetesApi();
        fake.Register(new FakeResource("celeriac.io", "v1alpha1", "taskqueues", "TaskQueue", true, true));
        fake.Register(new FakeResource("apps", "v1", "deployments", "Deployment", true, true));
        fake.Register(new FakeResource("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, true));
        fake.Register(new FakeResource("", "v1", "services", "Service", true, true));
        fake.Register(new FakeResource("", "v1", "events", "Event", true, false));
        fake.Register(new FakeResource("coordination.k8s.io", "v1", "leases", "Lease", true, false));
        fake.Register(new FakeResource("", "v1", "secrets", "Secret", true, false));
        fake.Register(new FakeResource("", "v1", "pods", "Pod", true, true));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o =>
        {
            o.Protocols = HttpProtocols.Http1;
            if (serverCertificate is not null) o.UseHttps(serverCertificate);
        }));
        fake.app = builder.Build();
        fake.app.Run(fake.HandleAsync);
        await fake.app.StartAsync().ConfigureAwait(false);
        var address = fake.app.Urls.First();
        fake.Url = new Uri(address);
        return fake;
    }

    /// <summary>Installs a CRD's resource, e.g. the Prometheus Operator's ServiceMonitor.</summary>
    public void Register(FakeResource resource)
    {
        lock (gate) resources[$"{resource.ApiVersion}/{resource.Plural}"] = resource;
    }

    public IReadOnlyList<string> Requests
    {
        get { lock (gate) return [.. requests]; }
    }

    /// <summary>The next <paramref name="count"/> requests that match answer <paramref name="status"/>.</summary>
    public void Fail(Func<HttpRequest, bool> match, int status, int count)
    {
        lock (gate) faults.Add((match, status, count));
    }

    /// <summary>Ends every open watch abruptly (connection reset).</summary>
    public void DropWatches()
    {
        CancellationTokenSource old;
        lock (gate)
        {
            old = dropWatches;
            dropWatches = new CancellationTokenSource();
        }
        old.Cancel();
        old.Dispose();
    }

    /// <summary>Forgets the history: a watch from any version up to now gets 410 Gone (as after an etcd compaction that outran the client).</summary>
    public void Compact()
    {
        lock (gate)
        {
            history.Clear();
            oldestRetained = revision + 1;
        }
    }

    public JsonObject? Get(string apiVersion, string plural, string? ns, string name)
    {
        lock (gate) return objects.TryGetValue(Key($"{apiVersion}/{plural}", ns, name), out var obj) ? (JsonObject)obj.DeepClone() : null;
    }

    public IReadOnlyList<JsonObject> List(string apiVersion, string plural, string? ns = null)
    {
        var prefix = $"{apiVersion}/{plural}|";
        lock (gate)
        {
            return [.. objects.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && (ns is null || Ns(kv.Value) == ns))
                .Select(kv => (JsonObject)kv.Value.DeepClone())];
        }
    }

    /// <summary>Plays the Deployment controller: all replicas up to date and ready.</summary>
    public void MarkDeploymentReady(string ns, string name)
    {
        lock (gate)
        {
            var key = Key("apps/v1/deployments", ns, name);
            if (!objects.TryGetValue(key, out var current)) throw new InvalidOperationException($"no deployment {ns}/{name}");
            var next = (JsonObject)current.DeepClone();
            var replicas = next["spec"]?["replicas"]?.GetValue<int>() ?? 1;
            next["status"] = new JsonObject
            {
                ["observedGeneration"] = next["metadata"]!["generation"]!.GetValue<long>(),
                ["replicas"] = replicas,
                ["readyReplicas"] = replicas,
                ["updatedReplicas"] = replicas,
                ["availableReplicas"] = replicas,
            };
            Store("apps/v1/deployments", key, next, "MODIFIED", current);
        }
    }

    public async ValueTask DisposeAsync()
    {
        DropWatches();
        if (app is not null)
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        int? fault = null;
        lock (gate)
        {
            requests.Add($"{request.Method} {request.Path}{request.QueryString}");
            for (var i = 0; i < faults.Count; i++)
            {
                var (match, status, remaining) = faults[i];
                if (remaining <= 0 || !match(request)) continue;
                faults[i] = (match, status, remaining - 1);
                fault = status;
                break;
            }
        }
        if (RequiredToken is { } token && request.Headers.Authorization.ToString() != $"Bearer {token}")
        {
            await WriteStatusAsync(context, 401, "Unauthorized", "Unauthorized").ConfigureAwait(false);
            return;
        }
        if (fault is { } code)
        {
            await WriteStatusAsync(context, code, "InternalError", "injected fault").ConfigureAwait(false);
            return;
        }

        var parts = request.Path.Value!.Trim('/').Split('/');
        int index;
        string apiVersion;
        if (parts.Length >= 2 && parts[0] == "api") { apiVersion = parts[1]; index = 2; }
        else if (parts.Length >= 3 && parts[0] == "apis") { apiVersion = $"{parts[1]}/{parts[2]}"; index = 3; }
        else if (parts is ["api"] or ["apis"]) { await RootDiscoveryAsync(context, parts[0] == "api").ConfigureAwait(false); return; }
        else { await WriteStatusAsync(context, 404, "NotFound", "unknown path").ConfigureAwait(false); return; }

        if (index == parts.Length)
        {
            await DiscoveryAsync(context, apiVersion).ConfigureAwait(false);
            return;
        }
        string? ns = null;
        if (parts[index] == "namespaces" && parts.Length > index + 2)
        {
            ns = parts[index + 1];
            index += 2;
        }
        FakeResource? resource;
        lock (gate) resources.TryGetValue($"{apiVersion}/{parts[index]}", out resource);
        if (resource is null)
        {
            await WriteStatusAsync(context, 404, "NotFound", $"the server could not find the requested resource {apiVersion}/{parts[index]}").ConfigureAwait(false);
            return;
        }
        var name = parts.Length > index + 1 ? Uri.UnescapeDataString(parts[index + 1]) : null;
        var subresource = parts.Length > index + 2 ? parts[index + 2] : null;
        if (subresource == "scale" && resource.Kind == "Deployment" && name is not null)
        {
            await ScaleAsync(context, resource, ns, name).ConfigureAwait(false);
            return;
        }
        if (subresource is not null && (subresource != "status" || !resource.HasStatus))
        {
            await WriteStatusAsync(context, 404, "NotFound", $"no subresource {subresource}").ConfigureAwait(false);
            return;
        }

        switch (request.Method)
        {
            case "GET" when name is null && request.Query["watch"] is ["true" or "1"]:
                await WatchAsync(context, resource, ns).ConfigureAwait(false);
                break;
            case "GET" when name is null:
                await ListAsync(context, resource, ns).ConfigureAwait(false);
                break;
            case "GET":
                await WriteResultAsync(context, Read(resource, ns, name)).ConfigureAwait(false);
                break;
            case "POST" when name is null:
                await WriteResultAsync(context, Create(resource, ns, await BodyAsync(context).ConfigureAwait(false))).ConfigureAwait(false);
                break;
            case "PUT" when name is not null:
                await WriteResultAsync(context, Replace(resource, ns, name, subresource, await BodyAsync(context).ConfigureAwait(false))).ConfigureAwait(false);
                break;
            case "PATCH" when name is not null && request.ContentType?.StartsWith("application/apply-patch+yaml", StringComparison.Ordinal) == true:
                await WriteResultAsync(context, ApplyPatch(resource, ns, name, subresource, request.Query["fieldManager"].ToString(),
                    request.Query["force"] == "true", await BodyAsync(context).ConfigureAwait(false))).ConfigureAwait(false);
                break;
            case "PATCH" when name is not null && request.ContentType?.StartsWith(MergePatchType, StringComparison.Ordinal) == true:
                await WriteResultAsync(context, MergePatch(resource, ns, name, subresource, strategic: false, await BodyAsync(context).ConfigureAwait(false))).ConfigureAwait(false);
                break;
            case "PATCH" when name is not null && request.ContentType?.StartsWith(StrategicMergePatchType, StringComparison.Ordinal) == true:
                await WriteResultAsync(context, MergePatch(resource, ns, name, subresource, strategic: true, await BodyAsync(context).ConfigureAwait(false))).ConfigureAwait(false);
                break;
            case "DELETE" when name is not null:
                var options = request.ContentLength > 0 ? await BodyAsync(context).ConfigureAwait(false) : null;
                await WriteResultAsync(context, Delete(resource, ns, name, options?["preconditions"]?["uid"]?.GetValue<string>())).ConfigureAwait(false);
                break;
            default:
                await WriteStatusAsync(context, 405, "MethodNotAllowed", $"{request.Method} is not supported here").ConfigureAwait(false);
                break;
        }
    }

    private (int, JsonObject) Read(FakeResource resource, string? ns, string name)
    {
        lock (gate)
        {
            return objects.TryGetValue(Key(ResourceKey(resource), ns, name), out var obj)
                ? (200, (JsonObject)obj.DeepClone())
                : NotFound(resource, name);
        }
    }

    private async Task ListAsync(HttpContext context, FakeResource resource, string? ns)
    {
        var selector = ParseSelector(context.Request.Query["labelSelector"]);
        JsonObject list;
        lock (gate)
        {
            var items = objects.Where(kv => kv.Key.StartsWith(ResourceKey(resource) + "|", StringComparison.Ordinal))
                .Select(kv => kv.Value).Where(o => (ns is null || Ns(o) == ns) && Matches(o, selector))
                .Select(o => (JsonNode?)o.DeepClone());
            list = new JsonObject
            {
                ["apiVersion"] = resource.ApiVersion,
                ["kind"] = resource.Kind + "List",
                ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray([.. items]),
            };
        }
        await WriteResultAsync(context, (200, list)).ConfigureAwait(false);
    }

    private async Task WatchAsync(HttpContext context, FakeResource resource, string? ns)
    {
        var selector = ParseSelector(context.Request.Query["labelSelector"]);
        var bookmarks = context.Request.Query["allowWatchBookmarks"] == "true";
        var from = long.TryParse(context.Request.Query["resourceVersion"], out var v) ? v : 0;
        var timeout = int.TryParse(context.Request.Query["timeoutSeconds"], out var t) ? TimeSpan.FromSeconds(t) : TimeSpan.FromMinutes(30);
        var resourceKey = ResourceKey(resource);
        var channel = Channel.CreateUnbounded<(long, string, string, JsonObject)>();
        List<(long, string, string, JsonObject)> backlog;
        CancellationToken dropped;
        bool expired;
        lock (gate)
        {
            expired = from > 0 && from < oldestRetained;
            backlog = [.. history.Where(h => h.Version > from && h.ResourceKey == resourceKey)];
            if (!expired) watchers.Add(channel);
            dropped = dropWatches.Token;
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        if (expired)
        {
            await WriteLineAsync(context, new JsonObject
            {
                ["type"] = "ERROR",
                ["object"] = StatusObject(410, "Expired", $"too old resource version: {from} ({oldestRetained})"),
            }).ConfigureAwait(false);
            return;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, dropped);
        stop.CancelAfter(timeout);
        try
        {
            foreach (var item in backlog) await WriteEventAsync(context, item, resourceKey, ns, selector).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
            while (!stop.IsCancellationRequested)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                tick.CancelAfter(BookmarkInterval);
                try
                {
                    var item = await channel.Reader.ReadAsync(tick.Token).ConfigureAwait(false);
                    await WriteEventAsync(context, item, resourceKey, ns, selector).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested && bookmarks)
                {
                    string current;
                    lock (gate) current = revision.ToString(CultureInfo.InvariantCulture);
                    await WriteLineAsync(context, new JsonObject
                    {
                        ["type"] = "BOOKMARK",
                        ["object"] = new JsonObject
                        {
                            ["apiVersion"] = resource.ApiVersion,
                            ["kind"] = resource.Kind,
                            ["metadata"] = new JsonObject { ["resourceVersion"] = current },
                        },
                    }).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (gate) watchers.Remove(channel);
        }
        if (dropped.IsCancellationRequested) context.Abort();
    }

    private static async Task WriteEventAsync(HttpContext context, (long Version, string ResourceKey, string Type, JsonObject Object) item,
        string resourceKey, string? ns, Dictionary<string, string> selector)
    {
        if (item.ResourceKey != resourceKey || (ns is not null && Ns(item.Object) != ns) || !Matches(item.Object, selector)) return;
        await WriteLineAsync(context, new JsonObject { ["type"] = item.Type, ["object"] = item.Object.DeepClone() }).ConfigureAwait(false);
    }

    private static async Task WriteLineAsync(HttpContext context, JsonObject line)
    {
        await context.Response.WriteAsync(line.ToJsonString() + "\n").ConfigureAwait(false);
        await context.Response.Body.FlushAsync().ConfigureAwait(false);
    }

    private (int, JsonObject) Create(FakeResource resource, string? ns, JsonObject body)
    {
        var name = body["metadata"]?["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name)) return (422, StatusObject(422, "Invalid", "metadata.name: Required value"));
        if (Ns(body) is { } bodyNs && bodyNs != ns) return (400, StatusObject(400, "BadRequest", "the namespace of the object does not match the namespace on the request"));
        lock (gate)
        {
            var key = Key(ResourceKey(resource), ns, name);
            if (objects.ContainsKey(key)) return (409, StatusObject(409, "AlreadyExists", $"{resource.Plural} \"{name}\" already exists"));
            var obj = (JsonObject)body.DeepClone();
            obj["apiVersion"] = resource.ApiVersion;
            obj["kind"] = resource.Kind;
            var metadata = obj["metadata"]!.AsObject();
            if (resource.Namespaced) metadata["namespace"] = ns;
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["generation"] = 1;
            metadata["creationTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            if (resource.Kind == "Deployment" && obj["spec"] is JsonObject spec && spec["replicas"] is null) spec["replicas"] = 1;
            if (resource.HasStatus && resource.Kind == "TaskQueue") obj.Remove("status");
            return (201, Store(ResourceKey(resource), key, obj, "ADDED"));
        }
    }

    /// <summary>409 Conflict when the body names a resourceVersion other than the stored one (optimistic concurrency); null otherwise.</summary>
    private static (int, JsonObject)? StaleWrite(FakeResource resource, string name, JsonObject body, JsonObject current)
    {
        var sent = body["metadata"]?["resourceVersion"]?.GetValue<string>();
        return sent is not null && sent != current["metadata"]!["resourceVersion"]!.GetValue<string>()
            ? (409, StatusObject(409, "Conflict", $"Operation cannot be fulfilled on {resource.Plural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again"))
            : null;
    }

    private (int, JsonObject) Replace(FakeResource resource, string? ns, string name, string? subresource, JsonObject body)
    {
        lock (gate)
        {
            var key = Key(ResourceKey(resource), ns, name);
            if (!objects.TryGetValue(key, out var current)) return NotFound(resource, name);
            if (StaleWrite(resource, name, body, current) is { } conflict) return conflict;
            var next = (JsonObject)current.DeepClone();
            if (subresource == "status")
            {
                next["status"] = body["status"]?.DeepClone();
            }
            else
            {
                foreach (var (field, value) in body)
                {
                    if (field is "metadata" or "apiVersion" or "kind" || (field == "status" && resource.HasStatus)) continue;
                    next[field] = value?.DeepClone();
                }
                foreach (var field in next.Select(kv => kv.Key).Where(f => f is not ("metadata" or "apiVersion" or "kind" or "status") && !body.ContainsKey(f)).ToList())
                    next.Remove(field);
                CopyUserMetadata(body, next);
            }
            return (200, Store(ResourceKey(resource), key, next, "MODIFIED", current));
        }
    }

    private (int, JsonObject) ApplyPatch(FakeResource resource, string? ns, string name, string? subresource, string fieldManager, bool force, JsonObject body)
    {
        if (fieldManager.Length == 0) return (400, StatusObject(400, "BadRequest", "PATCH with apply requires a fieldManager"));
        if (body["metadata"]?["name"]?.GetValue<string>() != name) return (400, StatusObject(400, "BadRequest", "the name of the object does not match the name on the URL"));
        lock (gate)
        {
            var key = Key(ResourceKey(resource), ns, name);
            var exists = objects.TryGetValue(key, out var current);
            if (!exists && subresource == "status") return NotFound(resource, name);
            var next = exists ? (JsonObject)current!.DeepClone() : new JsonObject
            {
                ["apiVersion"] = resource.ApiVersion,
                ["kind"] = resource.Kind,
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["namespace"] = ns,
                    ["uid"] = Guid.NewGuid().ToString(),
                    ["generation"] = 1,
                    ["creationTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                },
            };
            if (!managers.TryGetValue(key, out var owners)) owners = managers[key] = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            var statusPrefix = "status" + ServerSideApply.Separator;
            bool InScope(string path)
            {
                if (path is "apiVersion" or "kind" || path.StartsWith("metadata" + ServerSideApply.Separator + "name", StringComparison.Ordinal)
                    || path.StartsWith("metadata" + ServerSideApply.Separator + "namespace", StringComparison.Ordinal)) return false;
                var isStatus = path == "status" || path.StartsWith(statusPrefix, StringComparison.Ordinal);
                return subresource == "status" ? isStatus : !(isStatus && resource.HasStatus);
            }
            // Ownership of the object and of its status are tracked apart, as the API server does per subresource.
            var scopedManager = subresource == "status" ? fieldManager + "/status" : fieldManager;
            var conflicts = ServerSideApply.Apply(next, body, scopedManager, force, owners, InScope);
            if (conflicts.Count > 0)
                return (409, StatusObject(409, "Conflict", $"Apply failed with {conflicts.Count} conflict(s): {string.Join(", ", conflicts)}"));
            if (!exists && resource.Kind == "Deployment" && next["spec"] is JsonObject spec && spec["replicas"] is null) spec["replicas"] = 1;
            return (exists ? 200 : 201, Store(ResourceKey(resource), key, next, exists ? "MODIFIED" : "ADDED", current));
        }
    }

    private (int, JsonObject) Delete(FakeResource resource, string? ns, string name, string? uid)
    {
        JsonObject deleted;
        lock (gate)
        {
            var key = Key(ResourceKey(resource), ns, name);
            if (!objects.TryGetValue(key, out var current)) return NotFound(resource, name);
            if (uid is not null && current["metadata"]!["uid"]!.GetValue<string>() != uid)
                return (409, StatusObject(409, "Conflict", "Precondition failed: UID in precondition does not match the object"));
            Remove(key, current);
            deleted = (JsonObject)current.DeepClone();
        }
        _ = Task.Run(CollectGarbage);
        // The API server answers with the deleted object where the resource's storage says so (pods), else a Status.
        return resource.Kind == "Pod" ? (200, deleted) : (200, StatusObject(200, "Success", "deleted"));
    }

    /// <summary>The garbage collector: dependents whose every owner is gone are deleted, cascading.</summary>
    private void CollectGarbage()
    {
        lock (gate)
        {
            bool removed;
            do
            {
                removed = false;
                var uids = objects.Values.Select(o => o["metadata"]!["uid"]!.GetValue<string>()).ToHashSet();
                foreach (var (key, obj) in objects.ToList())
                {
                    var owners = obj["metadata"]?["ownerReferences"]?.AsArray();
                    if (owners is null || owners.Count == 0) continue;
                    if (owners.All(o => !uids.Contains(o!["uid"]!.GetValue<string>())))
                    {
                        Remove(key, obj);
                        removed = true;
                    }
                }
            }
            while (removed);
        }
    }

    private void Remove(string key, JsonObject current)
    {
        objects.Remove(key);
        managers.Remove(key);
        revision++;
        var gone = (JsonObject)current.DeepClone();
        gone["metadata"]!["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
        Publish(key[..key.IndexOf('|', StringComparison.Ordinal)], "DELETED", gone);
    }

    /// <summary>Stores a new state; when nothing changed it keeps the resourceVersion and sends no event.</summary>
    private JsonObject Store(string resourceKey, string key, JsonObject next, string type, JsonObject? previous = null)
    {
        // As if read back from storage: numbers become readable as any numeric type.
        next = JsonNode.Parse(next.ToJsonString())!.AsObject();
        if (previous is not null)
        {
            var before = (JsonObject)previous.DeepClone();
            var after = (JsonObject)next.DeepClone();
            before["metadata"]!.AsObject().Remove("resourceVersion");
            after["metadata"]!.AsObject().Remove("resourceVersion");
            if (JsonNode.DeepEquals(before, after)) return (JsonObject)previous.DeepClone();
            var specBefore = WithoutMetadataAndStatus(previous);
            var specAfter = WithoutMetadataAndStatus(next);
            if (!JsonNode.DeepEquals(specBefore, specAfter))
                next["metadata"]!["generation"] = (previous["metadata"]!["generation"]?.GetValue<long>() ?? 1) + 1;
        }
        revision++;
        next["metadata"]!["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
        objects[key] = next;
        Publish(resourceKey, type, (JsonObject)next.DeepClone());
        // The real collector also removes a dependent written after its owner was deleted.
        if (next["metadata"]?["ownerReferences"] is JsonArray { Count: > 0 }) _ = Task.Run(CollectGarbage);
        return (JsonObject)next.DeepClone();
    }

    private void Publish(string resourceKey, string type, JsonObject obj)
    {
        var item = (revision, resourceKey, type, obj);
        history.Add(item);
        foreach (var watcher in watchers) watcher.Writer.TryWrite(item);
    }

    private static JsonObject WithoutMetadataAndStatus(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("metadata");
        copy.Remove("status");
        return copy;
    }

    private static void CopyUserMetadata(JsonObject body, JsonObject next)
    {
        foreach (var field in new[] { "labels", "annotations", "ownerReferences" })
        {
            if (body["metadata"]?[field] is { } value) next["metadata"]![field] = value.DeepClone();
            else next["metadata"]!.AsObject().Remove(field);
        }
    }

    /// <summary>Legacy discovery as kubectl reads it: /api lists the core versions, /apis the groups.</summary>
    private async Task RootDiscoveryAsync(HttpContext context, bool core)
    {
        List<FakeResource> all;
        lock (gate) all = [.. resources.Values];
        if (core)
        {
            var versions = new JsonArray([.. all.Where(r => r.Group.Length == 0).Select(r => r.Version).Distinct().Select(v => (JsonNode?)v)]);
            await WriteResultAsync(context, (200, new JsonObject { ["kind"] = "APIVersions", ["versions"] = versions })).ConfigureAwait(false);
            return;
        }
        var groups = new JsonArray([.. all.Where(r => r.Group.Length > 0).GroupBy(r => r.Group).Select(g =>
        {
            var versions = g.Select(r => r.Version).Distinct().Select(v => new JsonObject { ["groupVersion"] = $"{g.Key}/{v}", ["version"] = v }).ToList();
            return (JsonNode?)new JsonObject
            {
                ["name"] = g.Key,
                ["versions"] = new JsonArray([.. versions.Select(v => (JsonNode?)v)]),
                ["preferredVersion"] = versions[0].DeepClone(),
            };
        })]);
        await WriteResultAsync(context, (200, new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups })).ConfigureAwait(false);
    }

    private async Task DiscoveryAsync(HttpContext context, string apiVersion)
    {
        JsonArray list;
        lock (gate)
        {
            list = new JsonArray([.. resources.Values.Where(r => r.ApiVersion == apiVersion)
                .Select(r => (JsonNode?)new JsonObject
                {
                    ["name"] = r.Plural,
                    ["singularName"] = r.Kind.ToLowerInvariant(),
                    ["kind"] = r.Kind,
                    ["namespaced"] = r.Namespaced,
                    ["verbs"] = new JsonArray("get", "list", "watch", "create", "update", "patch", "delete"),
                })]);
        }
        if (list.Count == 0)
        {
            await WriteStatusAsync(context, 404, "NotFound", "the server could not find the requested resource").ConfigureAwait(false);
            return;
        }
        await WriteResultAsync(context, (200, new JsonObject { ["kind"] = "APIResourceList", ["groupVersion"] = apiVersion, ["resources"] = list })).ConfigureAwait(false);
    }

    private static async Task<JsonObject> BodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync().ConfigureAwait(false);
        return Celeriac.Operator.Yaml.YamlJson.ParseSingle(text).AsObject();
    }

    private static Task WriteResultAsync(HttpContext context, (int Status, JsonObject Body) result)
    {
        context.Response.StatusCode = result.Status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(result.Body.ToJsonString());
    }

    private static Task WriteStatusAsync(HttpContext context, int code, string reason, string message) =>
        WriteResultAsync(context, (code, StatusObject(code, reason, message)));

    private static (int, JsonObject) NotFound(FakeResource resource, string name) =>
        (404, StatusObject(404, "NotFound", $"{resource.Plural} \"{name}\" not found"));

    private static JsonObject StatusObject(int code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["status"] = code < 400 ? "Success" : "Failure",
        ["reason"] = reason,
        ["message"] = message,
        ["code"] = code,
    };

    private static Dictionary<string, string> ParseSelector(string? selector) =>
        string.IsNullOrEmpty(selector) ? [] : selector.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    private static bool Matches(JsonObject obj, Dictionary<string, string> selector) =>
        selector.All(kv => obj["metadata"]?["labels"]?[kv.Key]?.GetValue<string>() == kv.Value);

    private static string? Ns(JsonObject obj) => obj["metadata"]?["namespace"]?.GetValue<string>();

    private static string ResourceKey(FakeResource resource) => $"{resource.ApiVersion}/{resource.Plural}";

    private static string Key(string resourceKey, string? ns, string name) => $"{resourceKey}|{ns}|{name}";
}
