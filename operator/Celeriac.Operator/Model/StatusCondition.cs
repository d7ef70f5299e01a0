namespace Celeriac.Operator.Model;

/// <summary>A condition in the shape of Kubernetes' metav1.Condition.</summary>
public sealed record StatusCondition
{
    public string Type { get; init; } = "";
    public string Status { get; init; } = "Unknown";
    public long? ObservedGeneration { get; init; }
    public string LastTransitionTime { get; init; } = "";
    public string Reason { get; init; } = "";
    public string Message { get; init; } = "";
}
