using System.Text.Json.Nodes;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Autoscaling.Keda;

/// <summary>The broker-specific part of keda mode: KEDA's trigger for one Celeriac queue and the credentials it needs.</summary>
public interface IKedaTrigger
{
    bool Handles(BrokerSpec broker);

    /// <summary>The trigger for one served queue; <paramref name="authentication"/> names the TriggerAuthentication when there is one.</summary>
    JsonObject Trigger(TaskQueueSpec spec, string queue, ScalingPolicy policy, string? authentication);

    /// <summary>The TriggerAuthentication spec when the workers use a Secret (or a pod identity KEDA must be told about); null when none is needed.</summary>
    JsonObject? Authentication(TaskQueueSpec spec);
}
