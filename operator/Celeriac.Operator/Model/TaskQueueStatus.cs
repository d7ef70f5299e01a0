namespace Celeriac.Operator.Model;

public sealed class TaskQueueStatus
{
    public long? ObservedGeneration { get; set; }
    public string? ReadyPools { get; set; }
    public int? Replicas { get; set; }
    public long? QueueDepth { get; set; }
    public List<StatusCondition>? Conditions { get; set; }
    public List<PoolStatus>? Pools { get; set; }
    public List<ScheduleStatus>? Schedules { get; set; }
}
