namespace Celeriac.Operator.Model;

public sealed class PoolStatus
{
    public string Name { get; set; } = "";
    public int? Replicas { get; set; }
    public int? ReadyReplicas { get; set; }
    public int? DesiredReplicas { get; set; }
    public int? CurrentReplicas { get; set; }
    public long? QueueDepth { get; set; }
    public string? LastScaleTime { get; set; }
    public string? LastScaleReason { get; set; }
}
