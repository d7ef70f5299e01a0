using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Celeriac.ServiceBus.Client;

/// <summary>
/// The Service Bus REST API over HttpClient: Send Message Batch, Peek-Lock, Delete, Unlock and Renew-Lock of a locked
/// message (addressed by sequence number and lock token), and the Atom management operations on queues. Throttling
/// (429), busy (503) and internal (500) answers and failed connections are retried with jittered exponential back-off,
/// honouring Retry-After; a 401 drops the cached token and is tried once more with a new one.
/// </summary>
public sealed partial class ServiceBusRestClient : IServiceBusClient, IDisposable
{
    public const string BatchContentType = "application/vnd.microsoft.servicebus.json";
    private const string AtomContentType = "application/atom+xml;type=entry;charset=utf-8";
    private static readonly HashSet<string> StandardHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "BrokerProperties", "Location", "Date", "Server", "Content-Type", "Content-Length", "Transfer-Encoding", "Connection",
        "Strict-Transport-Security", "Keep-Alive", "Cache-Control", "Expires", "Pragma", "Retry-After",
    };

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly IServiceBusTokenProvider _tokens;
    private readonly ServiceBusClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ServiceBusRestClient(HttpClient http, Uri endpoint, IServiceBusTokenProvider tokens, ServiceBusClientOptions? options = null,
        TimeProvider? time = null, ILogger<ServiceBusRestClient>? logger = null, bool ownsHttp = false)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        _http = http;
        _ownsHttp = ownsHttp;
        Endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
        _options = options ?? new ServiceBusClientOptions();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<ServiceBusRestClient>.Instance;
    }

    public Uri Endpoint { get; }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }

    public async Task SendBatchAsync(string queue, IReadOnlyList<ServiceBusOutgoingMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return;
        var body = BrokerPropertiesJson.Batch(messages);
        using var response = await SendAsync("SendMessageBatch", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, At($"{queue}/messages")) { Content = new StringContent(body, Encoding.UTF8) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(BatchContentType);
            return request;
        }, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        await EnsureAsync("SendMessageBatch", response, HttpStatusCode.Created, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ServiceBusReceivedMessage?> PeekLockAsync(string entityPath, int timeoutSeconds, CancellationToken cancellationToken)
    {
        var wait = Math.Max(0, timeoutSeconds);
        using var response = await SendAsync("PeekLock", () => new HttpRequestMessage(HttpMethod.Post,
            At($"{entityPath}/messages/head?timeout={wait.ToString(CultureInfo.InvariantCulture)}")), TimeSpan.FromSeconds(wait), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NoContent) return null;
        await EnsureAsync("PeekLock", response, HttpStatusCode.Created, cancellationToken).ConfigureAwait(false);
        var properties = response.Headers.TryGetValues("BrokerProperties", out var values) ? values.First() : throw new ServiceBusException("PeekLock", response.StatusCode, "no BrokerProperties header");
        var (messageId, lockToken, sequence, deliveries, lockedUntil, enqueued) = BrokerPropertiesJson.ParseReceived(properties);
        var custom = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers.Concat(response.Content.Headers))
            if (!StandardHeaders.Contains(header.Key)) custom[header.Key] = BrokerPropertiesJson.PropertyValue(header.Value.First());
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new ServiceBusReceivedMessage(body, new ServiceBusLock(entityPath, sequence, lockToken))
        {
            MessageId = messageId,
            DeliveryCount = deliveries,
            LockedUntilUtc = lockedUntil,
            EnqueuedTimeUtc = enqueued,
            Properties = custom,
        };
    }

    public Task<bool> CompleteAsync(ServiceBusLock messageLock, CancellationToken cancellationToken) => SettleAsync("DeleteMessage", HttpMethod.Delete, messageLock, cancellationToken);

    public Task<bool> UnlockAsync(ServiceBusLock messageLock, CancellationToken cancellationToken) => SettleAsync("UnlockMessage", HttpMethod.Put, messageLock, cancellationToken);

    public Task<bool> RenewLockAsync(ServiceBusLock messageLock, CancellationToken cancellationToken) => SettleAsync("RenewLock", HttpMethod.Post, messageLock, cancellationToken);

    private async Task<bool> SettleAsync(string operation, HttpMethod method, ServiceBusLock messageLock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageLock);
        var path = $"{messageLock.EntityPath}/messages/{messageLock.SequenceNumber.ToString(CultureInfo.InvariantCulture)}/{Uri.EscapeDataString(messageLock.LockToken)}";
        using var response = await SendAsync(operation, () => new HttpRequestMessage(method, At(path)) { Content = method == HttpMethod.Delete ? null : new ByteArrayContent([]) },
            TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        // 404: no message with that sequence number and lock token (settled, or the lock expired); 410: no such queue.
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone) return false;
        await EnsureAsync(operation, response, HttpStatusCode.OK, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<ServiceBusQueueInfo?> GetQueueAsync(string queue, CancellationToken cancellationToken)
    {
        using var response = await SendAsync("GetQueue", () => new HttpRequestMessage(HttpMethod.Get, At($"{queue}?api-version={_options.ManagementApiVersion}")),
            TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureAsync("GetQueue", response, HttpStatusCode.OK, cancellationToken).ConfigureAwait(false);
        var xml = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return AtomQueueXml.ParseEntry(xml) is { } info ? info with { Name = queue } : null;
    }

    public async Task CreateQueueAsync(string queue, ServiceBusQueueSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var body = AtomQueueXml.CreateEntry(settings);
        using var response = await SendAsync("CreateQueue", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, At($"{queue}?api-version={_options.ManagementApiVersion}")) { Content = new StringContent(body, Encoding.UTF8) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(AtomContentType);
            return request;
        }, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict) return;
        await EnsureAsync("CreateQueue", response, HttpStatusCode.Created, cancellationToken).ConfigureAwait(false);
        LogCreated(queue);
    }

    public async Task DeleteQueueAsync(string queue, CancellationToken cancellationToken)
    {
        using var response = await SendAsync("DeleteQueue", () => new HttpRequestMessage(HttpMethod.Delete, At($"{queue}?api-version={_options.ManagementApiVersion}")),
            TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return;
        await EnsureAsync("DeleteQueue", response, HttpStatusCode.OK, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> ListQueuesAsync(CancellationToken cancellationToken)
    {
        const int Page = 100;
        var names = new List<string>();
        for (var skip = 0; ; skip += Page)
        {
            var query = $"$Resources/Queues?api-version={_options.ManagementApiVersion}&$skip={skip.ToString(CultureInfo.InvariantCulture)}&$top={Page.ToString(CultureInfo.InvariantCulture)}";
            using var response = await SendAsync("ListQueues", () => new HttpRequestMessage(HttpMethod.Get, At(query)), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            await EnsureAsync("ListQueues", response, HttpStatusCode.OK, cancellationToken).ConfigureAwait(false);
            var page = AtomQueueXml.ParseFeedTitles(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            names.AddRange(page);
            if (page.Count < Page) return names;
        }
    }

    private Uri At(string relative) => new(Endpoint, relative);

    private static bool Retryable(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.InternalServerError or HttpStatusCode.GatewayTimeout;

    /// <summary>Sends with the Authorization header, retrying what the service asks to retry. The caller disposes the response.</summary>
    private async Task<HttpResponseMessage> SendAsync(string operation, Func<HttpRequestMessage> create, TimeSpan serverWait, CancellationToken cancellationToken)
    {
        var refreshedToken = false;
        for (var attempt = 0; ; attempt++)
        {
            using var request = create();
            request.Headers.TryAddWithoutValidation("Authorization", await _tokens.GetAuthorizationAsync(cancellationToken).ConfigureAwait(false));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout + serverWait);
            HttpResponseMessage? response = null;
            TimeSpan? retryAfter = null;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= _options.MaxRetries) throw new ServiceBusException(operation, 0, ex.Message);
                LogRetry(operation, ex.Message, attempt + 1);
            }
            if (response is not null)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized && !refreshedToken)
                {
                    refreshedToken = true;
                    _tokens.Invalidate();
                    response.Dispose();
                    attempt--;
                    continue;
                }
                if (!Retryable(response.StatusCode) || attempt >= _options.MaxRetries) return response;
                retryAfter = RetryAfter(response);
                LogRetry(operation, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), attempt + 1);
                response.Dispose();
            }
            await Task.Delay(retryAfter ?? Backoff(attempt), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(_options.MaxRetryDelay.TotalMilliseconds, _options.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? wait = header?.Delta ?? (header?.Date is { } date ? date - _time.GetUtcNow() : null);
        if (wait is null) return null;
        return wait.Value < TimeSpan.Zero ? TimeSpan.Zero : wait.Value > _options.MaxRetryDelay ? _options.MaxRetryDelay : wait.Value;
    }

    private static async Task EnsureAsync(string operation, HttpResponseMessage response, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        if (response.StatusCode == expected || (expected == HttpStatusCode.OK && response.IsSuccessStatusCode) || (expected == HttpStatusCode.Created && response.StatusCode == HttpStatusCode.OK && operation != "PeekLock"))
            return;
        string? detail = null;
        try
        {
            detail = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (detail.Length > 500) detail = detail[..500];
        }
        catch (HttpRequestException)
        {
        }
        throw new ServiceBusException(operation, response.StatusCode, detail);
    }

    [LoggerMessage(LogLevel.Information, "Created Service Bus queue {Queue}")]
    private partial void LogCreated(string queue);

    [LoggerMessage(LogLevel.Debug, "Service Bus {Operation}: {Reason}; retry {Attempt}")]
    private partial void LogRetry(string operation, string reason, int attempt);
}
