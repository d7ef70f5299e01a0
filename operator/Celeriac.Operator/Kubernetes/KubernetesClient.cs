using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Celeriac.Operator.Kubernetes;

/// <summary>The Kubernetes REST API over HTTP, following the API conventions document.</summary>
public sealed class KubernetesClient : IKubernetesClient, IDisposable
{
    private readonly HttpClient http;
    private readonly KubernetesConnection connection;
    private readonly TimeSpan watchTimeout;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <param name="watchTimeout">Asked of the server per watch (timeoutSeconds); the caller re-watches from the last version.</param>
    public KubernetesClient(KubernetesConnection connection, TimeSpan? watchTimeout = null)
    {
        this.connection = connection;
        this.watchTimeout = watchTimeout ?? TimeSpan.FromMinutes(5);
        http = new HttpClient(connection.CreateHandler()) { BaseAddress = connection.Server, Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<JsonObject?> GetAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Get, type.ObjectPath(ns, name), cancellationToken).ConfigureAwait(false);
        using var response = await SendAsync(request, cancellationToken, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        return await ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ObjectList> ListAsync(ResourceType type, string? ns, string? labelSelector, CancellationToken cancellationToken)
    {
        var path = type.CollectionPath(ns) + Query(("labelSelector", labelSelector));
        using var request = await RequestAsync(HttpMethod.Get, path, cancellationToken).ConfigureAwait(false);
        using var response = await SendAsync(request, cancellationToken, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
        var list = await ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);
        var items = list["items"]?.AsArray().OfType<JsonObject>().Select(i => (JsonObject)i.DeepClone()).ToList() ?? [];
        // List items carry no apiVersion/kind; the caller knows them, and apply needs them.
        foreach (var item in items)
        {
            item["apiVersion"] ??= type.ApiVersion;
            item["kind"] ??= type.Kind;
        }
        return new ObjectList(list["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "", items);
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(ResourceType type, string? ns, string resourceVersion, string? labelSelector,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var path = type.CollectionPath(ns) + Query(
            ("watch", "true"), ("resourceVersion", resourceVersion), ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", ((int)watchTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("labelSelector", labelSelector));
        using var request = await RequestAsync(HttpMethod.Get, path, cancellationToken).ConfigureAwait(false);
        using var response = await SendAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                yield break; // a dropped connection ends the watch; the caller re-watches
            }
            if (line is null) yield break;
            if (line.Length == 0) continue;
            var node = JsonNode.Parse(line)?.AsObject() ?? throw new JsonException("empty watch event");
            var eventType = node["type"]?.GetValue<string>() ?? "";
            var obj = node["object"]?.AsObject() ?? new JsonObject();
            if (eventType == "ERROR")
            {
                throw new KubernetesApiException(obj["code"]?.GetValue<int>() ?? 500, obj["reason"]?.GetValue<string>() ?? "", obj["message"]?.GetValue<string>() ?? "watch error");
            }
            yield return new WatchEvent(eventType, (JsonObject)obj.DeepClone());
        }
    }

    public Task<JsonObject> CreateAsync(ResourceType type, JsonObject obj, CancellationToken cancellationToken) =>
        SendBodyAsync(HttpMethod.Post, type.CollectionPath(Namespace(obj)), obj, "application/json", cancellationToken);

    public Task<JsonObject> ReplaceAsync(ResourceType type, JsonObject obj, CancellationToken cancellationToken) =>
        SendBodyAsync(HttpMethod.Put, type.ObjectPath(Namespace(obj), Name(obj)), obj, "application/json", cancellationToken);

    public Task<JsonObject> ApplyAsync(ResourceType type, JsonObject obj, string fieldManager, bool force, string? subresource, CancellationToken cancellationToken)
    {
        var path = type.ObjectPath(Namespace(obj), Name(obj)) + (subresource is null ? "" : "/" + subresource)
            + Query(("fieldManager", fieldManager), ("force", force ? "true" : null));
        // JSON is YAML, so the apply body can be the object's JSON.
        return SendBodyAsync(HttpMethod.Patch, path, obj, "application/apply-patch+yaml", cancellationToken);
    }

    public async Task<bool> DeleteAsync(ResourceType type, string? ns, string name, string? uid, CancellationToken cancellationToken)
    {
        var options = new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "v1", ["propagationPolicy"] = "Background" };
        if (uid is not null) options["preconditions"] = new JsonObject { ["uid"] = uid };
        using var request = await RequestAsync(HttpMethod.Delete, type.ObjectPath(ns, name), cancellationToken).ConfigureAwait(false);
        request.Content = new StringContent(options.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await SendAsync(request, cancellationToken, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<bool> IsServedAsync(ResourceType type, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Get, type.GroupVersionPath, cancellationToken).ConfigureAwait(false);
        using var response = await SendAsync(request, cancellationToken, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        var list = await ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);
        return list["resources"]?.AsArray().Any(r => r?["name"]?.GetValue<string>() == type.Plural) ?? false;
    }

    public void Dispose() => http.Dispose();

    private async Task<JsonObject> SendBodyAsync(HttpMethod method, string path, JsonObject body, string contentType, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(method, path, cancellationToken).ConfigureAwait(false);
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await SendAsync(request, cancellationToken, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
        return await ReadObjectAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (await connection.GetTokenAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken, HttpCompletionOption completion)
    {
        // Watches stream for as long as the server keeps them (timeoutSeconds); any other call must not hang forever.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (completion == HttpCompletionOption.ResponseContentRead) timeout.CancelAfter(RequestTimeout);
        try
        {
            return await http.SendAsync(request, completion, timeout.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new KubernetesApiException(503, "ServiceUnavailable", $"{request.Method} {request.RequestUri}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KubernetesApiException(504, "Timeout", $"{request.Method} {request.RequestUri}: no answer within {RequestTimeout}");
        }
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonObject? body = null;
        try
        {
            body = text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException) when (!response.IsSuccessStatusCode)
        {
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new KubernetesApiException((int)response.StatusCode, body?["reason"]?.GetValue<string>() ?? response.ReasonPhrase ?? "",
                body?["message"]?.GetValue<string>() ?? text);
        }
        return body ?? throw new KubernetesApiException((int)response.StatusCode, "EmptyBody", "the API server answered without an object");
    }

    private static string Name(JsonObject obj) =>
        obj["metadata"]?["name"]?.GetValue<string>() ?? throw new ArgumentException("the object has no metadata.name");

    private static string? Namespace(JsonObject obj) => obj["metadata"]?["namespace"]?.GetValue<string>();

    private static string Query(params (string Key, string? Value)[] parameters)
    {
        var present = parameters.Where(p => p.Value is not null).Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!)}").ToList();
        return present.Count == 0 ? "" : "?" + string.Join('&', present);
    }
}
