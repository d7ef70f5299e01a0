namespace Celeriac.Operator.Model;

/// <summary>Bounds for the queue-depth autoscaler (issue "Autoscaling"); the reconciler only reads them.</summary>
public sealed class AutoscalingSpec
{
    public int? MinReplicas { get; set; }
    public int? MaxReplicas { get; set; }
    public int? TargetDepthPerReplica { get; set; }
    public string? ScaleDownStabilization { get; set; }
}
