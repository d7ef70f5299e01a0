using Celeriac.Kubernetes;
using Celeriac.Operator.Model;

namespace Celeriac.Operator.Kubernetes;

/// <summary>
/// The resources the operator renders, applies, lists or deletes by kind. Leases, Events, Secrets and the Deployment's
/// scale subresource are used through KubernetesClient's typed API instead.
/// </summary>
public static class ResourceTypes
{
    public static ResourceType TaskQueues { get; } = new(TaskQueue.Group, TaskQueue.Version, TaskQueueResource.Plural, TaskQueue.KindValue);
    public static ResourceType Deployments { get; } = new("apps", "v1", "deployments", "Deployment");
    public static ResourceType PodDisruptionBudgets { get; } = new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget");
    public static ResourceType Services { get; } = new("", "v1", "services", "Service");
    public static ResourceType ServiceMonitors { get; } = new("monitoring.coreos.com", "v1", "servicemonitors", "ServiceMonitor");
    public static ResourceType ScaledObjects { get; } = new("keda.sh", "v1alpha1", "scaledobjects", "ScaledObject");
    public static ResourceType TriggerAuthentications { get; } = new("keda.sh", "v1alpha1", "triggerauthentications", "TriggerAuthentication");

    public static ResourceType ForKind(string apiVersion, string kind) =>
        new[] { TaskQueues, Deployments, PodDisruptionBudgets, Services, ServiceMonitors, ScaledObjects, TriggerAuthentications }
            .FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind)
        ?? throw new ArgumentException($"{apiVersion} {kind} is not a resource the operator knows");
}
