namespace Celeriac.Operator.Model;

public sealed class PoolSpec
{
    /// <summary>The CRD's default concurrency, for objects written without it.</summary>
    public const int DefaultConcurrency = 8;

    public string Name { get; set; } = "";
    public List<string> Queues { get; set; } = [];
    public int? Concurrency { get; set; }
    public int? MemoryCeilingPercent { get; set; }
    public string? ShutdownGrace { get; set; }
    public PoolResources Resources { get; set; } = new();
    public AutoscalingSpec? Autoscaling { get; set; }
    public Dictionary<string, string>? NodeSelector { get; set; }
    public List<TolerationSpec>? Tolerations { get; set; }
    public List<EnvVarSpec>? Env { get; set; }
}
