namespace Celeriac.Operator.Model;

public sealed class TaskQueueSpec
{
    public string Image { get; set; } = "";
    public string? ImagePullPolicy { get; set; }
    public List<string>? ImagePullSecrets { get; set; }
    public string? ServiceAccountName { get; set; }
    public Dictionary<string, string>? PodLabels { get; set; }
    public Dictionary<string, string>? PodAnnotations { get; set; }
    public List<string>? Args { get; set; }
    public List<string>? TaskAssemblies { get; set; }
    public BrokerSpec Broker { get; set; } = new();
    public StoreSpec? Store { get; set; }
    public CelerySpec? Celery { get; set; }
    public List<QueueSpec> Queues { get; set; } = [];
    public List<PoolSpec> Pools { get; set; } = [];
    public List<RouteSpec>? Routes { get; set; }
    public List<TaskPolicySpec>? Tasks { get; set; }
    public List<ScheduleSpec>? Schedules { get; set; }
}
