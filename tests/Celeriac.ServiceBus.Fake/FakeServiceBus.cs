using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Celeriac.ServiceBus.Fake;

/// <summary>
/// An in-process fake of the Service Bus REST endpoints Celeriac uses, on Kestrel on a loopback port, following
/// Microsoft's REST API reference:
/// <list type="bullet">
/// <item>Send Message (<c>POST /{queue}/messages</c>, BrokerProperties header, custom properties as headers) and Send Message
/// Batch (<c>application/vnd.microsoft.servicebus.json</c>): 201; 410 for a missing queue; 413-like 403 past the size limit.</item>
/// <item>Peek-Lock (<c>POST /{entity}/messages/head?timeout=N</c>): 201 with the body, a BrokerProperties header (LockToken,
/// LockedUntilUtc, SequenceNumber, DeliveryCount, MessageId, EnqueuedTimeUtc) and a Location header; 204 when nothing
/// came within the timeout.</item>
/// <item>Delete (complete), Unlock and Renew-Lock (<c>DELETE / PUT / POST /{entity}/messages/{sequence or id}/{lockToken}</c>): 200; 404 when that lock is not held.</item>
/// <item>Queues as Atom: <c>GET /{queue}</c> (QueueDescription with CountDetails; an empty feed when missing), <c>PUT</c> (201, 409 if it exists),
/// <c>DELETE</c>, and <c>GET /$Resources/Queues</c>.</item>
/// <item>Authorization: a SAS token signed with the configured key (checked: signature, expiry) or an accepted bearer token; 401 otherwise.</item>
/// </list>
/// Custom property values are returned JSON-encoded (strings quoted), as the service does. Deviation: lock durations
/// under the service's 5 s minimum are accepted, so tests can watch locks expire quickly.
/// </summary>
public sealed class FakeServiceBus : IAsyncDisposable
{
    public const string KeyName = "RootManageSharedAccessKey";
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    private static readonly XNamespace Connect = "http://schemas.microsoft.com/netservices/2010/10/servicebus/connect";
    private static readonly XNamespace Counts = "http://schemas.microsoft.com/netservices/2011/06/servicebus";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeQueue> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(HttpStatusCode Status, TimeSpan? RetryAfter)> _faults = new();
    private long _sequence;
    private long _total;

    private FakeServiceBus(WebApplication app, int port, string key)
    {
        _app = app;
        Port = port;
        Key = key;
    }

    public int Port { get; }
    public string Key { get; }
    public Uri Endpoint => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>What a worker process is given: the development-emulator form, plain HTTP to the fake.</summary>
    public string ConnectionString => $"Endpoint=sb://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)};SharedAccessKeyName={KeyName};SharedAccessKey={Key};UseDevelopmentEmulator=true;";

    /// <summary>Bearer tokens the fake accepts (Entra ID tests); none by default.</summary>
    public Func<string, bool> AcceptBearer { get; set; } = _ => false;

    /// <summary>The settings of queues created through <see cref="CreateQueue"/> without settings.</summary>
    public FakeQueueSettings DefaultSettings { get; set; } = new();

    public long TotalRequests => Interlocked.Read(ref _total);

    public IReadOnlyDictionary<string, long> RequestsByOperation => _requests.ToDictionary(p => p.Key, p => p.Value);

    public void ResetCounts()
    {
        _requests.Clear();
        Interlocked.Exchange(ref _total, 0);
    }

    /// <summary>The next <paramref name="count"/> requests are answered with <paramref name="status"/> (and a Retry-After of whole seconds when given).</summary>
    public void FailNext(int count, HttpStatusCode status, TimeSpan? retryAfter = null)
    {
        for (var i = 0; i < count; i++) _faults.Enqueue((status, retryAfter));
    }

    /// <summary>Injected failures not yet answered.</summary>
    public int PendingFaults => _faults.Count;

    public void CreateQueue(string name, FakeQueueSettings? settings = null) =>
        _queues.TryAdd(name, new FakeQueue(name, settings ?? DefaultSettings, NextSequence));

    public bool QueueExists(string name) => _queues.ContainsKey(name);

    /// <summary>Active (locked included), scheduled and locked counts of a queue or subqueue path.</summary>
    public (long Active, long Scheduled, long Locked) CountsOf(string entityPath) =>
        Entity(entityPath) is { } queue ? queue.Counts(DateTimeOffset.UtcNow) : default;

    private long NextSequence() => Interlocked.Increment(ref _sequence);

    public static async Task<FakeServiceBus> StartAsync(string? key = null)
    {
        key ??= Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeServiceBus? fake = null;
        app.Run(context => fake!.HandleAsync(context));
        await app.StartAsync().ConfigureAwait(false);
        var address = new Uri(app.Urls.First());
        fake = new FakeServiceBus(app, address.Port, key);
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private FakeQueue? Entity(string path)
    {
        const string Suffix = "/$DeadLetterQueue";
        if (path.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase))
            return _queues.TryGetValue(path[..^Suffix.Length], out var parent) ? parent.DeadLetters : null;
        return _queues.TryGetValue(path, out var queue) ? queue : null;
    }

    private void Count(string operation)
    {
        Interlocked.Increment(ref _total);
        _requests.AddOrUpdate(operation, 1, (_, n) => n + 1);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = Uri.UnescapeDataString(request.Path.Value?.TrimStart('/') ?? "");
        var method = request.Method;
        var messagesAt = path.IndexOf("/messages", StringComparison.Ordinal);
        var entity = messagesAt >= 0 ? path[..messagesAt] : path;
        var rest = messagesAt >= 0 ? path[(messagesAt + "/messages".Length)..].Trim('/') : null;
        var operation = (method, rest) switch
        {
            ("POST", "") => "Send",
            ("POST", "head") => "PeekLock",
            ("DELETE", not null) => "Delete",
            ("PUT", not null) => "Unlock",
            ("POST", not null) => "RenewLock",
            ("GET", null) when path.StartsWith("$Resources/", StringComparison.OrdinalIgnoreCase) => "ListQueues",
            ("GET", null) => "GetQueue",
            ("PUT", null) => "CreateQueue",
            ("DELETE", null) => "DeleteQueue",
            _ => "Unknown",
        };
        Count(operation);

        if (!Authorized(request.Headers.Authorization.ToString()))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        if (_faults.TryDequeue(out var fault))
        {
            context.Response.StatusCode = (int)fault.Status;
            if (fault.RetryAfter is { } after) context.Response.Headers.RetryAfter = ((int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return;
        }

        switch (operation)
        {
            case "Send": await SendAsync(context, entity).ConfigureAwait(false); break;
            case "PeekLock": await PeekLockAsync(context, entity).ConfigureAwait(false); break;
            case "Delete": Settle(context, entity, rest!, FakeQueue.Settlement.Complete); break;
            case "Unlock": Settle(context, entity, rest!, FakeQueue.Settlement.Unlock); break;
            case "RenewLock": Settle(context, entity, rest!, FakeQueue.Settlement.Renew); break;
            case "ListQueues": await ListQueuesAsync(context).ConfigureAwait(false); break;
            case "GetQueue": await GetQueueAsync(context, entity).ConfigureAwait(false); break;
            case "CreateQueue": await CreateQueueAsync(context, entity).ConfigureAwait(false); break;
            case "DeleteQueue":
                context.Response.StatusCode = _queues.TryRemove(entity, out _) ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
                break;
            default: context.Response.StatusCode = StatusCodes.Status400BadRequest; break;
        }
    }

    /// <summary>SAS: <c>sr</c> is this namespace, <c>se</c> in the future, <c>sig</c> = base64 HMAC-SHA256(key, sr + "\n" + se), <c>skn</c> the key's name.</summary>
    private bool Authorized(string header)
    {
        if (header.StartsWith("Bearer ", StringComparison.Ordinal)) return AcceptBearer(header["Bearer ".Length..]);
        const string Prefix = "SharedAccessSignature ";
        if (!header.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var fields = header[Prefix.Length..].Split('&').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("sr", out var sr) || !fields.TryGetValue("sig", out var sig) || !fields.TryGetValue("se", out var se) || !fields.TryGetValue("skn", out var skn)) return false;
        if (Uri.UnescapeDataString(skn) != KeyName) return false;
        if (!long.TryParse(se, NumberStyles.None, CultureInfo.InvariantCulture, out var expiry) || expiry <= DateTimeOffset.UtcNow.ToUnixTimeSeconds()) return false;
        var resource = Uri.UnescapeDataString(sr).TrimEnd('/');
        if (!string.Equals(resource, Endpoint.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)) return false;
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), Encoding.UTF8.GetBytes(sr + "\n" + se)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(Uri.UnescapeDataString(sig)));
    }

    private async Task SendAsync(HttpContext context, string entity)
    {
        if (Entity(entity) is not { } queue || entity.Contains('$', StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status410Gone;
            return;
        }
        var now = DateTimeOffset.UtcNow;
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer).ConfigureAwait(false);
        var body = buffer.ToArray();
        var contentType = context.Request.ContentType ?? "";
        var batch = new List<(string? Id, byte[] Body, Dictionary<string, string> Properties, DateTimeOffset? Scheduled, TimeSpan? Ttl)>();
        if (contentType.StartsWith("application/vnd.microsoft.servicebus.json", StringComparison.OrdinalIgnoreCase))
        {
            JsonArray? entries;
            try { entries = JsonNode.Parse(body)?.AsArray(); }
            catch (JsonException) { entries = null; }
            if (entries is null)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }
            foreach (var entry in entries)
            {
                var broker = entry?["BrokerProperties"] as JsonObject;
                var properties = new Dictionary<string, string>(StringComparer.Ordinal);
                if (entry?["UserProperties"] is JsonObject user)
                    foreach (var (k, v) in user) properties[k] = v is JsonValue value && value.TryGetValue<string>(out var s) ? s : v?.ToJsonString() ?? "";
                var (id, scheduled, ttl) = ReadBrokerProperties(broker);
                batch.Add((id, Encoding.UTF8.GetBytes(entry?["Body"]?.GetValue<string>() ?? ""), properties, scheduled, ttl));
            }
        }
        else
        {
            var broker = context.Request.Headers.TryGetValue("BrokerProperties", out var json) ? JsonNode.Parse(json.ToString()) as JsonObject : null;
            var (id, scheduled, ttl) = ReadBrokerProperties(broker);
            var properties = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in context.Request.Headers)
                if (!IsStandardRequestHeader(name)) properties[name] = PropertyValue(value.ToString());
            batch.Add((id, body, properties, scheduled, ttl));
        }
        if (batch.Any(m => m.Body.Length + m.Properties.Sum(p => p.Key.Length + p.Value.Length) > 256 * 1024) || body.Length > 1024 * 1024)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("The message is larger than the allowed size.").ConfigureAwait(false);
            return;
        }
        foreach (var m in batch) queue.Send(m.Id, m.Body, m.Properties, m.Scheduled, m.Ttl, now);
        context.Response.StatusCode = StatusCodes.Status201Created;
    }

    private static (string? Id, DateTimeOffset? Scheduled, TimeSpan? Ttl) ReadBrokerProperties(JsonObject? broker)
    {
        if (broker is null) return (null, null, null);
        var id = broker["MessageId"]?.GetValue<string>();
        DateTimeOffset? scheduled = broker["ScheduledEnqueueTimeUtc"]?.GetValue<string>() is { } text
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;
        TimeSpan? ttl = broker["TimeToLive"] is JsonValue v && v.TryGetValue<double>(out var seconds) ? TimeSpan.FromSeconds(seconds) : null;
        return (id, scheduled, ttl);
    }

    private static bool IsStandardRequestHeader(string name) =>
        name is "Authorization" or "BrokerProperties" or "Content-Type" or "Content-Length" or "Host" or "Expect" or "Connection" or "Accept" or "Accept-Encoding" or "User-Agent" or "Transfer-Encoding"
        || name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase);

    private static string PropertyValue(string value)
    {
        if (value.Length >= 2 && value[0] == '"')
        {
            try { return JsonSerializer.Deserialize<string>(value) ?? ""; }
            catch (JsonException) { }
        }
        return value;
    }

    private async Task PeekLockAsync(HttpContext context, string entity)
    {
        if (Entity(entity) is not { } queue)
        {
            context.Response.StatusCode = StatusCodes.Status410Gone;
            return;
        }
        var timeout = int.TryParse(context.Request.Query["timeout"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : 60;
        var deadline = DateTimeOffset.UtcNow.AddSeconds(timeout);
        var aborted = context.RequestAborted;
        while (true)
        {
            var changed = queue.Changed;
            var now = DateTimeOffset.UtcNow;
            if (aborted.IsCancellationRequested) return;
            if (queue.TryLock(now) is { } locked)
            {
                await WriteLockedAsync(context, entity, locked.Message, locked.LockToken, locked.LockedUntil, locked.DeliveryCount).ConfigureAwait(false);
                return;
            }
            if (now >= deadline || !ReferenceEquals(Entity(entity), queue))
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }
            var wake = deadline;
            if (queue.NextEvent(now) is { } next && next < wake) wake = next;
            var wait = wake - now;
            if (wait > TimeSpan.FromMilliseconds(200)) wait = TimeSpan.FromMilliseconds(200);
            if (wait < TimeSpan.FromMilliseconds(1)) wait = TimeSpan.FromMilliseconds(1);
            try
            {
                await Task.WhenAny(changed, Task.Delay(wait, aborted)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WriteLockedAsync(HttpContext context, string entity, FakeMessage message, string lockToken, DateTimeOffset lockedUntil, int deliveryCount)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.ContentType = "application/atom+xml;type=entry;charset=utf-8";
        var broker = new JsonObject
        {
            ["DeliveryCount"] = deliveryCount,
            ["EnqueuedSequenceNumber"] = message.SequenceNumber,
            ["EnqueuedTimeUtc"] = message.EnqueuedTime.UtcDateTime.ToString("R", CultureInfo.InvariantCulture),
            ["LockToken"] = lockToken,
            ["LockedUntilUtc"] = lockedUntil.UtcDateTime.ToString("R", CultureInfo.InvariantCulture),
            ["MessageId"] = message.MessageId,
            ["SequenceNumber"] = message.SequenceNumber,
            ["State"] = "Active",
        };
        if (message.TimeToLive is { } ttl) broker["TimeToLive"] = ttl.TotalSeconds;
        response.Headers["BrokerProperties"] = broker.ToJsonString();
        response.Headers.Location = new Uri(Endpoint, $"{entity}/messages/{message.SequenceNumber.ToString(CultureInfo.InvariantCulture)}/{lockToken}").AbsoluteUri;
        foreach (var (name, value) in message.Properties) response.Headers[name] = JsonSerializer.Serialize(value);
        response.ContentLength = message.Body.Length;
        await response.Body.WriteAsync(message.Body).ConfigureAwait(false);
    }

    private void Settle(HttpContext context, string entity, string rest, FakeQueue.Settlement settlement)
    {
        var parts = rest.Split('/');
        if (parts.Length != 2)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        if (Entity(entity) is not { } queue)
        {
            context.Response.StatusCode = StatusCodes.Status410Gone;
            return;
        }
        context.Response.StatusCode = queue.Settle(parts[0], parts[1], settlement, DateTimeOffset.UtcNow) ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
    }

    private async Task ListQueuesAsync(HttpContext context)
    {
        var skip = int.TryParse(context.Request.Query["$skip"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        var top = int.TryParse(context.Request.Query["$top"], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 100;
        var now = DateTimeOffset.UtcNow;
        var feed = new XElement(Atom + "feed", new XElement(Atom + "title", "Queues"),
            _queues.Values.OrderBy(q => q.Name, StringComparer.Ordinal).Skip(skip).Take(top).Select(q => QueueEntry(q, now)));
        await WriteXmlAsync(context, StatusCodes.Status200OK, feed).ConfigureAwait(false);
    }

    private async Task GetQueueAsync(HttpContext context, string name)
    {
        var now = DateTimeOffset.UtcNow;
        // The service answers a GET of a missing entity with an empty feed, not 404.
        XElement document = _queues.TryGetValue(name, out var queue) ? QueueEntry(queue, now) : new XElement(Atom + "feed", new XElement(Atom + "title", "Publicly Listed Services"));
        await WriteXmlAsync(context, StatusCodes.Status200OK, document).ConfigureAwait(false);
    }

    private async Task CreateQueueAsync(HttpContext context, string name)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var xml = await reader.ReadToEndAsync().ConfigureAwait(false);
        FakeQueueSettings settings;
        try
        {
            var description = XDocument.Parse(xml).Descendants(Connect + "QueueDescription").SingleOrDefault()
                ?? throw new FormatException("no QueueDescription");
            string? Value(string local) => description.Element(Connect + local)?.Value;
            settings = new FakeQueueSettings
            {
                LockDuration = Value("LockDuration") is { } l ? XmlConvert.ToTimeSpan(l) : DefaultSettings.LockDuration,
                MaxDeliveryCount = Value("MaxDeliveryCount") is { } m ? int.Parse(m, CultureInfo.InvariantCulture) : DefaultSettings.MaxDeliveryCount,
                RequiresDuplicateDetection = Value("RequiresDuplicateDetection") is { } d && bool.Parse(d),
                DuplicateDetectionHistoryTimeWindow = Value("DuplicateDetectionHistoryTimeWindow") is { } w ? XmlConvert.ToTimeSpan(w) : DefaultSettings.DuplicateDetectionHistoryTimeWindow,
            };
        }
        catch (Exception ex) when (ex is XmlException or FormatException or InvalidOperationException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(ex.Message).ConfigureAwait(false);
            return;
        }
        var queue = new FakeQueue(name, settings, NextSequence);
        if (!_queues.TryAdd(name, queue))
        {
            context.Response.StatusCode = StatusCodes.Status409Conflict;
            return;
        }
        await WriteXmlAsync(context, StatusCodes.Status201Created, QueueEntry(queue, DateTimeOffset.UtcNow)).ConfigureAwait(false);
    }

    private XElement QueueEntry(FakeQueue queue, DateTimeOffset now)
    {
        var (active, scheduled, _) = queue.Counts(now);
        var deadLetters = queue.DeadLetters?.Counts(now).Active ?? 0;
        return new XElement(Atom + "entry",
            new XElement(Atom + "id", new Uri(Endpoint, queue.Name).AbsoluteUri),
            new XElement(Atom + "title", new XAttribute("type", "text"), queue.Name),
            new XElement(Atom + "content", new XAttribute("type", "application/xml"),
                new XElement(Connect + "QueueDescription",
                    new XAttribute(XNamespace.Xmlns + "i", "http://www.w3.org/2001/XMLSchema-instance"),
                    new XElement(Connect + "LockDuration", XmlConvert.ToString(queue.Settings.LockDuration)),
                    new XElement(Connect + "MaxSizeInMegabytes", 1024),
                    new XElement(Connect + "RequiresDuplicateDetection", queue.Settings.RequiresDuplicateDetection ? "true" : "false"),
                    new XElement(Connect + "RequiresSession", "false"),
                    new XElement(Connect + "DuplicateDetectionHistoryTimeWindow", XmlConvert.ToString(queue.Settings.DuplicateDetectionHistoryTimeWindow)),
                    new XElement(Connect + "MaxDeliveryCount", queue.Settings.MaxDeliveryCount),
                    new XElement(Connect + "MessageCount", active + scheduled + deadLetters),
                    new XElement(Connect + "CountDetails",
                        new XAttribute(XNamespace.Xmlns + "d2p1", Counts.NamespaceName),
                        new XElement(Counts + "ActiveMessageCount", active),
                        new XElement(Counts + "DeadLetterMessageCount", deadLetters),
                        new XElement(Counts + "ScheduledMessageCount", scheduled),
                        new XElement(Counts + "TransferMessageCount", 0),
                        new XElement(Counts + "TransferDeadLetterMessageCount", 0)))));
    }

    private static async Task WriteXmlAsync(HttpContext context, int status, XElement document)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/atom+xml;type=entry;charset=utf-8";
        await context.Response.WriteAsync(document.ToString(SaveOptions.DisableFormatting)).ConfigureAwait(false);
    }
}
