namespace Celeriac.Kubernetes;

/// <summary>The TaskQueue custom resource's API group, version, plural and kind (<c>crds/celeriac.io_taskqueues.yaml</c>).</summary>
public static class TaskQueueResource
{
    public const string Group = "celeriac.io";
    public const string Version = "v1alpha1";
    public const string Plural = "taskqueues";
    public const string Kind = "TaskQueue";
}
