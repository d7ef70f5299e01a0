using System.Globalization;
using System.Text.Json.Nodes;
using Celeriac.Operator.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Celeriac.Operator.Controller;

/// <summary>Records core/v1 Events on a TaskQueue; a failure to record is logged, never thrown.</summary>
public sealed class EventRecorder(IKubernetesClient client, TimeProvider time, ILogger<EventRecorder> logger, string instance)
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";

    public async Task RecordAsync(JsonObject involved, string type, string reason, string message, CancellationToken cancellationToken)
    {
        var metadata = involved["metadata"]!;
        var ns = metadata["namespace"]?.GetValue<string>() ?? "default";
        var name = metadata["name"]!.GetValue<string>();
        var now = time.GetUtcNow();
        var timestamp = now.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var ev = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{name}.{now.UtcTicks:x}{Random.Shared.Next(0x1000):x3}",
                ["namespace"] = ns,
            },
            ["involvedObject"] = new JsonObject
            {
                ["apiVersion"] = involved["apiVersion"]?.GetValue<string>(),
                ["kind"] = involved["kind"]?.GetValue<string>(),
                ["name"] = name,
                ["namespace"] = ns,
                ["uid"] = metadata["uid"]?.GetValue<string>(),
                ["resourceVersion"] = metadata["resourceVersion"]?.GetValue<string>(),
            },
            ["type"] = type,
            ["reason"] = reason,
            ["message"] = message.Length > 1024 ? message[..1024] : message,
            ["source"] = new JsonObject { ["component"] = "celeriac-operator" },
            ["reportingComponent"] = "celeriac.io/operator",
            ["reportingInstance"] = instance,
            ["firstTimestamp"] = timestamp,
            ["lastTimestamp"] = timestamp,
            ["count"] = 1,
        };
        try
        {
            await client.CreateAsync(ResourceTypes.Events, ev, cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException e)
        {
            OperatorLog.EventFailed(logger, e);
        }
    }
}
