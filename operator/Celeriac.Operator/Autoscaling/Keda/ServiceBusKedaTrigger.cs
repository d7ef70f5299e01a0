using System.Globalization;
using System.Text.Json.Nodes;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Autoscaling.Keda;

/// <summary>
/// KEDA's <c>azure-servicebus</c> trigger on the queue of the same name. A connection string Secret becomes the
/// TriggerAuthentication's <c>connection</c>; otherwise the workers use Azure workload identity and so does KEDA
/// (podIdentity azure-workload), with the namespace taken from fullyQualifiedNamespace.
/// </summary>
public sealed class ServiceBusKedaTrigger : IKedaTrigger
{
    public bool Handles(BrokerSpec broker) => broker.ServiceBus is not null;

    public JsonObject Trigger(TaskQueueSpec spec, string queue, ScalingPolicy policy, string? authentication)
    {
        var bus = spec.Broker.ServiceBus!;
        var metadata = new JsonObject
        {
            ["queueName"] = queue,
            ["messageCount"] = policy.TargetPerReplica.ToString(CultureInfo.InvariantCulture),
            ["activationMessageCount"] = policy.ActivationDepth.ToString(CultureInfo.InvariantCulture),
        };
        if (bus.FullyQualifiedNamespace is { } fqns) metadata["namespace"] = fqns.Split('.')[0];
        return KedaTriggers.Trigger("azure-servicebus", queue, metadata, authentication);
    }

    public JsonObject? Authentication(TaskQueueSpec spec) => spec.Broker.ServiceBus!.ConnectionStringSecretRef is { } secret
        ? KedaTriggers.SecretTargets(("connection", secret.Name, secret.Key))
        : new JsonObject { ["podIdentity"] = new JsonObject { ["provider"] = "azure-workload" } };
}
