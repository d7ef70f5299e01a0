namespace Celeriac.Worker;

/// <summary>Worker settings, bound from configuration section <c>Celeriac:Worker</c>.</summary>
public sealed class WorkerOptions
{
    /// <summary>Queues this worker serves. Empty: every queue declared in <c>Celeriac:Queues</c> (or "default").</summary>
    public List<string> Queues { get; set; } = [];

    /// <summary>Tasks run at once. Prefetch never exceeds the free slots.</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>Largest receive batch.</summary>
    public int MaxFetchBatch { get; set; } = 64;

    /// <summary>How long a received message stays invisible to others without a heartbeat.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often leases of running tasks are extended; default one third of the lease.</summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>Longest wait of one receive call when the queues are empty.</summary>
    public TimeSpan ReceiveWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Every Nth receive starts from a lower-priority queue, so high-priority traffic cannot starve the rest. 0 turns it off.</summary>
    public int StarvationGuardEvery { get; set; } = 8;

    /// <summary>On SIGTERM (or a recycle), how long in-flight tasks get to finish before they are cancelled and released.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>Past this resident size the worker stops fetching, drains and exits for a clean restart. Null: no ceiling.</summary>
    public long? MemoryCeilingMb { get; set; }

    public TimeSpan MemoryCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal TimeSpan EffectiveHeartbeat => HeartbeatInterval ?? LeaseDuration / 3;
}
