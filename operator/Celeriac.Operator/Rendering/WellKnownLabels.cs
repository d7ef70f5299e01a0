namespace Celeriac.Operator.Rendering;

/// <summary>Labels on every object the operator renders; the selector labels are immutable on a Deployment.</summary>
public static class WellKnownLabels
{
    public const string Name = "app.kubernetes.io/name";
    public const string Instance = "app.kubernetes.io/instance";
    public const string Component = "app.kubernetes.io/component";
    public const string PartOf = "app.kubernetes.io/part-of";
    public const string ManagedBy = "app.kubernetes.io/managed-by";
    public const string Version = "app.kubernetes.io/version";
    public const string TaskQueue = "celeriac.io/taskqueue";
    public const string Pool = "celeriac.io/pool";

    public const string WorkerName = "celeriac-worker";
    public const string OperatorName = "celeriac-operator";
}
