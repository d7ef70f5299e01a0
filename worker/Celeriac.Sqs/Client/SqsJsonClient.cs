using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Celeriac.Sqs.Client;

/// <summary>
/// SQS over its JSON protocol: one signed POST per action with <c>X-Amz-Target: AmazonSQS.&lt;Action&gt;</c> and an
/// <c>application/x-amz-json-1.0</c> body. Throttling, 5xx and transport failures are retried with exponential
/// backoff and jitter; other errors surface as <see cref="SqsException"/>.
/// </summary>
public sealed partial class SqsJsonClient : ISqsClient, IDisposable
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/x-amz-json-1.0");
    private static readonly string[] ReceiveAttributes = ["ApproximateReceiveCount", "SentTimestamp"];

    private readonly HttpClient _http;
    private readonly ISqsCredentialSource _credentials;
    private readonly SqsClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SqsJsonClient> _logger;
    private readonly bool _ownsHttp;

    public SqsJsonClient(HttpClient http, Uri endpoint, string region, ISqsCredentialSource credentials, SqsClientOptions options, TimeProvider time, ILogger<SqsJsonClient> logger, bool ownsHttp = false)
    {
        _ownsHttp = ownsHttp;
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        _http = http;
        Endpoint = endpoint;
        Region = region;
        _credentials = credentials;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }

    public Uri Endpoint { get; }
    public string Region { get; }

    public Task<SqsBatchResult> SendMessageBatchAsync(string queueUrl, IReadOnlyList<SqsSendEntry> entries, CancellationToken cancellationToken) =>
        BatchCallAsync("SendMessageBatch", queueUrl, entries, e => e.Id, (w, entry) =>
        {
            w.WriteString("MessageBody", entry.Body);
            if (entry.DelaySeconds is { } delay) w.WriteNumber("DelaySeconds", delay);
            if (entry.MessageGroupId is not null) w.WriteString("MessageGroupId", entry.MessageGroupId);
            if (entry.MessageDeduplicationId is not null) w.WriteString("MessageDeduplicationId", entry.MessageDeduplicationId);
            if (entry.StringAttributes is { Count: > 0 } attributes)
            {
                w.WriteStartObject("MessageAttributes");
                foreach (var (name, value) in attributes)
                {
                    w.WriteStartObject(name);
                    w.WriteString("DataType", "String");
                    w.WriteString("StringValue", value);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
        }, cancellationToken);

    public async Task<IReadOnlyList<SqsMessage>> ReceiveMessageAsync(SqsReceiveRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var response = await CallAsync("ReceiveMessage", w =>
        {
            w.WriteString("QueueUrl", request.QueueUrl);
            w.WriteNumber("MaxNumberOfMessages", request.MaxNumberOfMessages);
            w.WriteNumber("VisibilityTimeout", request.VisibilityTimeoutSeconds);
            w.WriteNumber("WaitTimeSeconds", request.WaitTimeSeconds);
            // AttributeNames is the older name of MessageSystemAttributeNames; SQS accepts both, some emulators only the older.
            WriteStrings(w, "AttributeNames", ReceiveAttributes);
            WriteStrings(w, "MessageSystemAttributeNames", ReceiveAttributes);
            WriteStrings(w, "MessageAttributeNames", ["All"]);
        }, TimeSpan.FromSeconds(request.WaitTimeSeconds), cancellationToken).ConfigureAwait(false);

        if (!response.RootElement.TryGetProperty("Messages", out var messages) || messages.ValueKind != JsonValueKind.Array) return [];
        var result = new List<SqsMessage>(messages.GetArrayLength());
        foreach (var m in messages.EnumerateArray())
        {
            var count = 1;
            DateTimeOffset? sent = null;
            if (m.TryGetProperty("Attributes", out var system) && system.ValueKind == JsonValueKind.Object)
            {
                if (system.TryGetProperty("ApproximateReceiveCount", out var c) && int.TryParse(c.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) count = n;
                if (system.TryGetProperty("SentTimestamp", out var s) && long.TryParse(s.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
                    sent = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            }
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            if (m.TryGetProperty("MessageAttributes", out var user) && user.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in user.EnumerateObject())
                {
                    if (property.Value.TryGetProperty("StringValue", out var value) && value.GetString() is { } text)
                        attributes[property.Name] = text;
                }
            }
            result.Add(new SqsMessage(Text(m, "MessageId"), Text(m, "ReceiptHandle"), Text(m, "Body"))
            {
                ApproximateReceiveCount = count,
                SentTimestamp = sent,
                StringAttributes = attributes,
            });
        }
        return result;
    }

    public Task<SqsBatchResult> DeleteMessageBatchAsync(string queueUrl, IReadOnlyList<SqsReceiptEntry> entries, CancellationToken cancellationToken) =>
        BatchCallAsync("DeleteMessageBatch", queueUrl, entries, e => e.Id, (w, entry) => w.WriteString("ReceiptHandle", entry.ReceiptHandle), cancellationToken);

    public Task<SqsBatchResult> ChangeMessageVisibilityBatchAsync(string queueUrl, IReadOnlyList<SqsVisibilityEntry> entries, CancellationToken cancellationToken) =>
        BatchCallAsync("ChangeMessageVisibilityBatch", queueUrl, entries, e => e.Id, (w, entry) =>
        {
            w.WriteString("ReceiptHandle", entry.ReceiptHandle);
            w.WriteNumber("VisibilityTimeout", entry.VisibilityTimeoutSeconds);
        }, cancellationToken);

    public async Task ChangeMessageVisibilityAsync(string queueUrl, string receiptHandle, int visibilityTimeoutSeconds, CancellationToken cancellationToken)
    {
        using var _ = await CallAsync("ChangeMessageVisibility", w =>
        {
            w.WriteString("QueueUrl", queueUrl);
            w.WriteString("ReceiptHandle", receiptHandle);
            w.WriteNumber("VisibilityTimeout", visibilityTimeoutSeconds);
        }, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<string, string>> GetQueueAttributesAsync(string queueUrl, IReadOnlyList<string> attributeNames, CancellationToken cancellationToken)
    {
        using var response = await CallAsync("GetQueueAttributes", w =>
        {
            w.WriteString("QueueUrl", queueUrl);
            WriteStrings(w, "AttributeNames", attributeNames);
        }, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (response.RootElement.TryGetProperty("Attributes", out var attributes) && attributes.ValueKind == JsonValueKind.Object)
            foreach (var property in attributes.EnumerateObject()) result[property.Name] = property.Value.ToString();
        return result;
    }

    public async Task<string> CreateQueueAsync(string queueName, IReadOnlyDictionary<string, string>? attributes, CancellationToken cancellationToken)
    {
        using var response = await CallAsync("CreateQueue", w =>
        {
            w.WriteString("QueueName", queueName);
            if (attributes is { Count: > 0 })
            {
                w.WriteStartObject("Attributes");
                foreach (var (name, value) in attributes) w.WriteString(name, value);
                w.WriteEndObject();
            }
        }, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return Text(response.RootElement, "QueueUrl");
    }

    public async Task<IReadOnlyList<string>> ListQueuesAsync(string? queueNamePrefix, CancellationToken cancellationToken)
    {
        var urls = new List<string>();
        string? next = null;
        do
        {
            var token = next;
            using var response = await CallAsync("ListQueues", w =>
            {
                if (!string.IsNullOrEmpty(queueNamePrefix)) w.WriteString("QueueNamePrefix", queueNamePrefix);
                w.WriteNumber("MaxResults", 1000);
                if (token is not null) w.WriteString("NextToken", token);
            }, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            if (response.RootElement.TryGetProperty("QueueUrls", out var list) && list.ValueKind == JsonValueKind.Array)
                urls.AddRange(list.EnumerateArray().Select(u => u.GetString()!).Where(u => u is not null));
            next = response.RootElement.TryGetProperty("NextToken", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        }
        while (!string.IsNullOrEmpty(next));
        return urls;
    }

    public async Task PurgeQueueAsync(string queueUrl, CancellationToken cancellationToken)
    {
        using var _ = await CallAsync("PurgeQueue", w => w.WriteString("QueueUrl", queueUrl), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonDocument> CallAsync(string action, Action<Utf8JsonWriter> writeBody, TimeSpan extraTimeout, CancellationToken cancellationToken)
    {
        var body = Serialize(writeBody);
        for (var attempt = 0; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout + extraTimeout);
            SqsException failure;
            try
            {
                using var request = await CreateRequestAsync(action, body, cancellationToken).ConfigureAwait(false);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return JsonDocument.Parse(bytes.Length == 0 ? "{}"u8.ToArray() : bytes);
                failure = ReadError(action, response, bytes);
                if (!IsRetryable(failure)) throw failure;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
            {
                failure = new SqsException(action, null, "TransportError", ex.Message, ex);
            }
            if (attempt >= _options.MaxRetries) throw failure;
            var delay = Backoff(attempt);
            LogRetry(action, failure.ErrorCode, attempt + 1, delay.TotalMilliseconds);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpRequestMessage> CreateRequestAsync(string action, byte[] body, CancellationToken cancellationToken)
    {
        var credentials = await _credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow().UtcDateTime;
        var target = "AmazonSQS." + action;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = JsonType.MediaType!,
            ["host"] = Endpoint.IsDefaultPort ? Endpoint.Host : Endpoint.Authority,
            ["x-amz-date"] = amzDate,
            ["x-amz-target"] = target,
        };
        if (credentials.SessionToken is not null) headers["x-amz-security-token"] = credentials.SessionToken;
        var authorization = SqsSigner.Authorization("POST", Endpoint, headers, body, credentials, Region, "sqs", now);

        var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = JsonType;
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        if (credentials.SessionToken is not null) request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.SessionToken);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return request;
    }

    private static SqsException ReadError(string action, HttpResponseMessage response, byte[] bytes)
    {
        string? code = null;
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("__type", out var type)) code = type.GetString();
                else if (root.TryGetProperty("code", out var c)) code = c.GetString();
                if (root.TryGetProperty("message", out var m) || root.TryGetProperty("Message", out m)) message = m.GetString();
            }
        }
        catch (JsonException)
        {
            message = bytes.Length > 0 ? System.Text.Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 500)) : response.ReasonPhrase;
        }
        // The JSON error type is "namespace#Code"; the legacy query-compatible code, when present, is the one SDKs show.
        if (code is not null && code.LastIndexOf('#') is var hash and >= 0) code = code[(hash + 1)..];
        if (response.Headers.TryGetValues("x-amzn-query-error", out var queryError) && queryError.FirstOrDefault() is { } legacy && SqsErrorCodes.IsQueueMissing(legacy.Split(';')[0]))
            code ??= legacy.Split(';')[0];
        code ??= response.StatusCode == HttpStatusCode.TooManyRequests ? "ThrottlingException" : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        return new SqsException(action, response.StatusCode, code, message);
    }

    private static bool IsRetryable(SqsException failure) =>
        failure.StatusCode is null || (int)failure.StatusCode >= 500 || failure.StatusCode == HttpStatusCode.TooManyRequests || SqsErrorCodes.IsTransient(failure.ErrorCode);

    private TimeSpan Backoff(int attempt)
    {
        var cap = Math.Min(_options.MaxRetryDelay.TotalMilliseconds, _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
        return TimeSpan.FromMilliseconds(cap / 2 + Random.Shared.NextDouble() * cap / 2);
    }

    /// <summary>The batch actions share one shape: QueueUrl, then Entries each with its Id; the answer lists successes and failures per entry.</summary>
    private async Task<SqsBatchResult> BatchCallAsync<TEntry>(string action, string queueUrl, IReadOnlyList<TEntry> entries, Func<TEntry, string> id, Action<Utf8JsonWriter, TEntry> writeEntry, CancellationToken cancellationToken)
    {
        using var response = await CallAsync(action, w =>
        {
            w.WriteString("QueueUrl", queueUrl);
            w.WriteStartArray("Entries");
            foreach (var entry in entries)
            {
                w.WriteStartObject();
                w.WriteString("Id", id(entry));
                writeEntry(w, entry);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return ReadBatchResult(response.RootElement);
    }

    private static SqsBatchResult ReadBatchResult(JsonElement root)
    {
        var successful = new List<string>();
        var failed = new List<SqsBatchFailure>();
        if (root.TryGetProperty("Successful", out var ok) && ok.ValueKind == JsonValueKind.Array)
            successful.AddRange(ok.EnumerateArray().Select(e => Text(e, "Id")));
        if (root.TryGetProperty("Failed", out var bad) && bad.ValueKind == JsonValueKind.Array)
        {
            failed.AddRange(bad.EnumerateArray().Select(e => new SqsBatchFailure(
                Text(e, "Id"), Text(e, "Code"),
                e.TryGetProperty("Message", out var m) ? m.GetString() : null,
                e.TryGetProperty("SenderFault", out var f) && f.ValueKind == JsonValueKind.True)));
        }
        return new SqsBatchResult(successful, failed);
    }

    private static byte[] Serialize(Action<Utf8JsonWriter> writeBody)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeBody(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values) writer.WriteStringValue(value);
        writer.WriteEndArray();
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    [LoggerMessage(LogLevel.Debug, "SQS {Action} failed with {Code}; retry {Attempt} in {DelayMs} ms")]
    private partial void LogRetry(string action, string code, int attempt, double delayMs);
}
