namespace Celeriac.Operator.Model;

/// <summary>How a pool's replicas follow the depth of the queues it serves (docs/autoscaling.md); the defaults are the CRD's.</summary>
public sealed class AutoscalingSpec
{
    public const string BuiltinEngine = "builtin";
    public const string KedaEngine = "keda";
    public const string DepthMetric = "depth";
    public const string SlotsMetric = "slots";

    /// <summary><c>builtin</c> (the operator scales) or <c>keda</c> (the operator renders a KEDA ScaledObject).</summary>
    public string Engine { get; set; } = BuiltinEngine;
    public int MinReplicas { get; set; } = 1;
    public int MaxReplicas { get; set; } = 10;
    public int TargetDepthPerReplica { get; set; } = 100;
    public string PollingInterval { get; set; } = "10s";
    public int ActivationDepth { get; set; }
    public bool CountInFlight { get; set; } = true;
    public int MaxScaleUpStep { get; set; } = 10;
    public string ScaleDownStabilization { get; set; } = "5m";

    /// <summary><c>depth</c> (messages per replica) or <c>slots</c> (ready and in-flight messages over the pool's concurrency × targetUtilization).</summary>
    public string Metric { get; set; } = DepthMetric;

    /// <summary>Percent of a replica's concurrency slots the slots metric aims to fill.</summary>
    public int TargetUtilization { get; set; } = 80;

    /// <summary>Longest the oldest ready message should wait (a duration); unset: depth alone.</summary>
    public string? TargetQueueWait { get; set; }

    /// <summary>How often the queues of a pool at zero replicas are read (a duration).</summary>
    public string PollingIntervalAtZero { get; set; } = "2s";

    /// <summary>How long a scale-in waits for busy workers to become idle before it removes them anyway (a duration; 0s: never waits).</summary>
    public string ScaleInBusyWait { get; set; } = "3m";
}
