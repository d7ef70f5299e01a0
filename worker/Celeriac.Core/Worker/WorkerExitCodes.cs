namespace Celeriac.Worker;

/// <summary>Process exit codes of a worker host, so that restarts can be told apart in pod status.</summary>
public static class WorkerExitCodes
{
    public const int Ok = 0;
    public const int Error = 1;
    /// <summary>A task ignored cancellation past its hard time limit.</summary>
    public const int HardTimeLimit = 3;
    /// <summary>The worker passed its memory ceiling.</summary>
    public const int MemoryCeiling = 4;
}
