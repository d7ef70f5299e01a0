using Celeriac.Worker;

namespace Celeriac.Operator.Model;

/// <summary>
/// One worker pool. The defaults below are the pool's only defaults: the CRD's <c>default:</c> markers are generated from
/// them (<c>make docs</c>), and concurrency and shutdownGrace are the worker's own (<see cref="WorkerOptions"/>), so a pool
/// that leaves them out runs as a worker without configuration does.
/// </summary>
public sealed class PoolSpec
{
    private static readonly WorkerOptions WorkerDefaults = new();

    public string Name { get; set; } = "";
    public List<string> Queues { get; set; } = [];
    public int Concurrency { get; set; } = WorkerDefaults.Concurrency;
    public int MemoryCeilingPercent { get; set; } = 85;
    public string ShutdownGrace { get; set; } = KubeDuration.Format(WorkerDefaults.ShutdownGrace);
    public PoolResources Resources { get; set; } = new();
    public AutoscalingSpec? Autoscaling { get; set; }
    public Dictionary<string, string>? NodeSelector { get; set; }
    public List<TolerationSpec>? Tolerations { get; set; }
    public List<EnvVarSpec>? Env { get; set; }
}
