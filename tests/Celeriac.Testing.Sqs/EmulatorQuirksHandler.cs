using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Celeriac.Testing.Sqs;

/// <summary>
/// Makes the local-aws-sqs emulator answer as SQS documents, for the AWS SDK's requests. Production code talks to SQS
/// unchanged; only tests and the bench put this handler into the SDK's HTTP pipeline (docs/sqs.md lists the quirks):
/// <list type="number">
/// <item>An empty ReceiveMessage is answered with an empty body, which the SDK cannot parse; SQS answers <c>{}</c>.</item>
/// <item>ReceiveMessage reads the legacy <c>AttributeNames</c> parameter only, not <c>MessageSystemAttributeNames</c> that the SDK sends, so
/// ApproximateReceiveCount and SentTimestamp would be missing.</item>
/// <item>ApproximateNumberOfMessages counts received, not yet deleted messages too; SQS counts them only in
/// ApproximateNumberOfMessagesNotVisible.</item>
/// <item>A ChangeMessageVisibility counts as a receive in ApproximateReceiveCount; SQS counts receives only.</item>
/// <item>MD5OfMessageAttributes is computed over characters, not UTF-8 bytes, so the SDK rejects any message whose
/// attribute values are not ASCII (a dead letter's reason quoting a name); the handler puts the digest SQS documents.</item>
/// <item>A new message counts as delayed until a zero-delay timer of the emulator's event loop fires, so attributes read
/// within a millisecond of a send see it delayed; the handler gives the timers a few milliseconds before each read.</item>
/// </list>
/// </summary>
public sealed class EmulatorQuirksHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private static readonly MediaTypeHeaderValue AmzJson = new("application/x-amz-json-1.0");
    private readonly ConcurrentDictionary<string, string> _messageOfReceipt = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _visibilityChanges = new(StringComparer.Ordinal);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var action = request.Headers.TryGetValues("X-Amz-Target", out var targets) ? targets.First().Replace("AmazonSQS.", "", StringComparison.Ordinal) : "";
        JsonObject? body = null;
        if (action is "ReceiveMessage" or "ChangeMessageVisibility" or "ChangeMessageVisibilityBatch" or "SendMessage" or "SendMessageBatch" && request.Content is not null)
            body = JsonNode.Parse(await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)) as JsonObject;

        if (action == "ReceiveMessage" && body is not null && body["MessageSystemAttributeNames"] is JsonArray names && body["AttributeNames"] is null)
        {
            body["AttributeNames"] = names.DeepClone();
            request.Content = Json(body);
        }
        if (action == "GetQueueAttributes") await Task.Delay(5, cancellationToken).ConfigureAwait(false);

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) return response;
        switch (action)
        {
            case "ReceiveMessage":
                await FixReceiveAsync(response, cancellationToken).ConfigureAwait(false);
                break;
            case "ChangeMessageVisibility":
                CountVisibilityChange(body?["ReceiptHandle"]?.GetValue<string>());
                break;
            case "ChangeMessageVisibilityBatch":
                await CountVisibilityChangesAsync(body, response, cancellationToken).ConfigureAwait(false);
                break;
            case "GetQueueAttributes":
                await FixDepthAsync(response, cancellationToken).ConfigureAwait(false);
                break;
            case "SendMessage":
            case "SendMessageBatch":
                await FixSendDigestsAsync(body, response, cancellationToken).ConfigureAwait(false);
                break;
        }
        return response;
    }

    private async Task FixReceiveAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            response.Content = Json(new JsonObject());
            return;
        }
        if (JsonNode.Parse(text) is not JsonObject answer || answer["Messages"] is not JsonArray messages) return;
        foreach (var message in messages.OfType<JsonObject>())
        {
            var id = message["MessageId"]?.GetValue<string>();
            var receipt = message["ReceiptHandle"]?.GetValue<string>();
            if (id is null || receipt is null) continue;
            _messageOfReceipt[receipt] = id;
            if (message["MessageAttributes"] is JsonObject sent) message["MD5OfMessageAttributes"] = AttributesDigest(sent);
            if (message["Attributes"] is JsonObject attributes && _visibilityChanges.TryRemove(id, out var changes)
                && int.TryParse(attributes["ApproximateReceiveCount"]?.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                attributes["ApproximateReceiveCount"] = Math.Max(1, count - changes).ToString(CultureInfo.InvariantCulture);
        }
        response.Content = Json(answer);
    }

    private static async Task FixSendDigestsAsync(JsonObject? request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (request is null || JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)) is not JsonObject answer) return;
        if (request["Entries"] is JsonArray entries)
        {
            var byId = entries.OfType<JsonObject>().Where(e => e["Id"] is not null).ToDictionary(e => e["Id"]!.GetValue<string>(), StringComparer.Ordinal);
            foreach (var done in (answer["Successful"] as JsonArray ?? []).OfType<JsonObject>())
                if (done["Id"]?.GetValue<string>() is { } id && byId.TryGetValue(id, out var entry) && entry["MessageAttributes"] is JsonObject attributes)
                    done["MD5OfMessageAttributes"] = AttributesDigest(attributes);
        }
        else if (request["MessageAttributes"] is JsonObject attributes)
        {
            answer["MD5OfMessageAttributes"] = AttributesDigest(attributes);
        }
        response.Content = Json(answer);
    }

    /// <summary>
    /// The digest SQS documents for message attributes: for each attribute in name order, the name, the data type and
    /// the value, each as UTF-8 bytes after a 4-byte big-endian length, with a transport byte (1 string, 2 binary) before the value.
    /// </summary>
    private static string AttributesDigest(JsonObject attributes)
    {
        using var buffer = new MemoryStream();
        void Write(ReadOnlySpan<byte> bytes)
        {
            Span<byte> length = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }
        foreach (var (name, node) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (node is not JsonObject attribute) continue;
            Write(Encoding.UTF8.GetBytes(name));
            Write(Encoding.UTF8.GetBytes(attribute["DataType"]?.GetValue<string>() ?? "String"));
            if (attribute["BinaryValue"]?.GetValue<string>() is { } binary)
            {
                buffer.WriteByte(2);
                Write(Convert.FromBase64String(binary));
            }
            else
            {
                buffer.WriteByte(1);
                Write(Encoding.UTF8.GetBytes(attribute["StringValue"]?.GetValue<string>() ?? ""));
            }
        }
        return Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(buffer.ToArray()));
    }

    private void CountVisibilityChange(string? receipt)
    {
        if (receipt is not null && _messageOfReceipt.TryGetValue(receipt, out var id)) _visibilityChanges.AddOrUpdate(id, 1, (_, n) => n + 1);
    }

    private async Task CountVisibilityChangesAsync(JsonObject? request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (request?["Entries"] is not JsonArray entries) return;
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        response.Content = Json(answer ?? new JsonObject());
        var succeeded = (answer?["Successful"] as JsonArray)?.Select(e => e?["Id"]?.GetValue<string>()).ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var entry in entries.OfType<JsonObject>())
            if (succeeded.Contains(entry["Id"]?.GetValue<string>())) CountVisibilityChange(entry["ReceiptHandle"]?.GetValue<string>());
    }

    private static async Task FixDepthAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)) as JsonObject;
        if (answer?["Attributes"] is JsonObject attributes
            && long.TryParse(attributes["ApproximateNumberOfMessages"]?.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var ready)
            && long.TryParse(attributes["ApproximateNumberOfMessagesNotVisible"]?.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var inFlight))
            attributes["ApproximateNumberOfMessages"] = Math.Max(0, ready - inFlight).ToString(CultureInfo.InvariantCulture);
        response.Content = Json(answer ?? new JsonObject());
    }

    private static ByteArrayContent Json(JsonNode node)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(node.ToJsonString()));
        content.Headers.ContentType = AmzJson;
        return content;
    }
}
