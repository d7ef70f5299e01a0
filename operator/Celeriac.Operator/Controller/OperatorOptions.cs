namespace Celeriac.Operator.Controller;

/// <summary>Settings of the operator process, bound from configuration section <c>Operator</c>.</summary>
public sealed class OperatorOptions
{
    /// <summary>Namespace to watch; empty watches all namespaces.</summary>
    public string? WatchNamespace { get; set; }

    public string FieldManager { get; set; } = "celeriac-operator";

    public int Workers { get; set; } = 2;

    /// <summary>Every TaskQueue is reconciled at least this often, whatever the watches say.</summary>
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>While pools are not ready yet, look again after this long.</summary>
    public TimeSpan NotReadyRequeue { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromMinutes(5);

    public bool LeaderElection { get; set; } = true;
    public string LeaseName { get; set; } = "celeriac-operator-leader";

    /// <summary>Namespace of the Lease; defaults to the operator's own namespace.</summary>
    public string? LeaseNamespace { get; set; }

    /// <summary>This instance's identity in the Lease; defaults to the pod name (HOSTNAME) and a random suffix.</summary>
    public string? Identity { get; set; }

    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);
    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A queue depth that merely moved is written to the TaskQueue's status at most this often (scales and errors at once).</summary>
    public TimeSpan AutoscalingStatusRefresh { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The scheduler looks at the TaskQueues at least this often (and at every due slot).</summary>
    public TimeSpan SchedulerPollPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Server-side timeout of one watch request; the watch resumes from the last resourceVersion.</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
