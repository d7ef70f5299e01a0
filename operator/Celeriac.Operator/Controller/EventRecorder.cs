using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Celeriac.Operator.Controller;

/// <summary>Records core/v1 Events on a TaskQueue; a failure to record is logged, never thrown.</summary>
public sealed class EventRecorder(IKubernetes client, TimeProvider time, ILogger<EventRecorder> logger, string instance)
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";

    public async Task RecordAsync(JsonObject involved, string type, string reason, string message, CancellationToken cancellationToken)
    {
        var metadata = involved["metadata"]!;
        var ns = metadata["namespace"]?.GetValue<string>() ?? "default";
        var name = metadata["name"]!.GetValue<string>();
        var now = time.GetUtcNow();
        // Whole seconds: Event timestamps are RFC 3339 without fractions.
        var timestamp = new DateTime(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var ev = new Corev1Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { Name = $"{name}.{now.UtcTicks:x}{Random.Shared.Next(0x1000):x3}", NamespaceProperty = ns },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = involved["apiVersion"]?.GetValue<string>(),
                Kind = involved["kind"]?.GetValue<string>(),
                Name = name,
                NamespaceProperty = ns,
                Uid = metadata["uid"]?.GetValue<string>(),
                ResourceVersion = metadata["resourceVersion"]?.GetValue<string>(),
            },
            Type = type,
            Reason = reason,
            Message = message.Length > 1024 ? message[..1024] : message,
            Source = new V1EventSource { Component = "celeriac-operator" },
            ReportingComponent = "celeriac.io/operator",
            ReportingInstance = instance,
            FirstTimestamp = timestamp,
            LastTimestamp = timestamp,
            Count = 1,
        };
        try
        {
            await client.CoreV1.CreateNamespacedEventAsync(ev, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            OperatorLog.EventFailed(logger, e);
        }
    }
}
