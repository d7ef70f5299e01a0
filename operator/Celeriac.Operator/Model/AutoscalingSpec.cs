namespace Celeriac.Operator.Model;

/// <summary>How a pool's replicas follow the depth of the queues it serves (docs/autoscaling.md).</summary>
public sealed class AutoscalingSpec
{
    public const string BuiltinEngine = "builtin";
    public const string KedaEngine = "keda";
    public const string DepthMetric = "depth";
    public const string SlotsMetric = "slots";

    /// <summary><c>builtin</c> (the operator scales) or <c>keda</c> (the operator renders a KEDA ScaledObject).</summary>
    public string? Engine { get; set; }
    public int? MinReplicas { get; set; }
    public int? MaxReplicas { get; set; }
    public int? TargetDepthPerReplica { get; set; }
    public string? PollingInterval { get; set; }
    public int? ActivationDepth { get; set; }
    public bool? CountInFlight { get; set; }
    public int? MaxScaleUpStep { get; set; }
    public string? ScaleDownStabilization { get; set; }

    /// <summary><c>depth</c> (messages per replica) or <c>slots</c> (ready and in-flight messages over the pool's concurrency × targetUtilization).</summary>
    public string? Metric { get; set; }

    /// <summary>Percent of a replica's concurrency slots the slots metric aims to fill.</summary>
    public int? TargetUtilization { get; set; }

    /// <summary>Longest the oldest ready message should wait (a duration); unset: depth alone.</summary>
    public string? TargetQueueWait { get; set; }

    /// <summary>How often the queues of a pool at zero replicas are read (a duration).</summary>
    public string? PollingIntervalAtZero { get; set; }
}
