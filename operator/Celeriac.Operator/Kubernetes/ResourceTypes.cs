using Celeriac.Operator.Model;

namespace Celeriac.Operator.Kubernetes;

/// <summary>The resources the operator reads or writes.</summary>
public static class ResourceTypes
{
    public static ResourceType TaskQueues { get; } = new(TaskQueue.Group, TaskQueue.Version, "taskqueues", TaskQueue.KindValue);
    public static ResourceType Deployments { get; } = new("apps", "v1", "deployments", "Deployment");
    public static ResourceType PodDisruptionBudgets { get; } = new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget");
    public static ResourceType Services { get; } = new("", "v1", "services", "Service");
    public static ResourceType ServiceMonitors { get; } = new("monitoring.coreos.com", "v1", "servicemonitors", "ServiceMonitor");
    public static ResourceType Events { get; } = new("", "v1", "events", "Event");
    public static ResourceType Leases { get; } = new("coordination.k8s.io", "v1", "leases", "Lease");
    public static ResourceType Secrets { get; } = new("", "v1", "secrets", "Secret");
    public static ResourceType ScaledObjects { get; } = new("keda.sh", "v1alpha1", "scaledobjects", "ScaledObject");
    public static ResourceType TriggerAuthentications { get; } = new("keda.sh", "v1alpha1", "triggerauthentications", "TriggerAuthentication");

    public static ResourceType ForKind(string apiVersion, string kind) =>
        new[] { TaskQueues, Deployments, PodDisruptionBudgets, Services, ServiceMonitors, Events, Leases, Secrets, ScaledObjects, TriggerAuthentications }
            .FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind)
        ?? throw new ArgumentException($"{apiVersion} {kind} is not a resource the operator knows");
}
