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
        if (action is "ReceiveMessage" or "ChangeMessageVisibility" or "ChangeMessageVisibilityBatch" && request.Content is not null)
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
            if (message["Attributes"] is JsonObject attributes && _visibilityChanges.TryRemove(id, out var changes)
                && int.TryParse(attributes["ApproximateReceiveCount"]?.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                attributes["ApproximateReceiveCount"] = Math.Max(1, count - changes).ToString(CultureInfo.InvariantCulture);
        }
        response.Content = Json(answer);
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
