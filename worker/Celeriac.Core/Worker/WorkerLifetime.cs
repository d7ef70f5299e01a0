using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Celeriac.Worker;

/// <summary>Lets any part of the worker ask for a recycle: stop fetching, drain, exit with a code.</summary>
public interface IWorkerLifetime
{
    bool IsRecycling { get; }
    string? RecycleReason { get; }
    /// <summary>The exit code the host should end with.</summary>
    int ExitCode { get; }
    void RequestRecycle(int exitCode, string reason);
}

public sealed partial class WorkerLifetime(IHostApplicationLifetime host, ILogger<WorkerLifetime> logger) : IWorkerLifetime
{
    private int _recycling;

    public bool IsRecycling => Volatile.Read(ref _recycling) == 1;
    public string? RecycleReason { get; private set; }
    public int ExitCode { get; private set; }

    public void RequestRecycle(int exitCode, string reason)
    {
        if (Interlocked.Exchange(ref _recycling, 1) == 1) return;
        RecycleReason = reason;
        ExitCode = exitCode;
        LogRecycle(reason, exitCode);
        host.StopApplication();
    }

    [LoggerMessage(LogLevel.Warning, "Recycling the worker: {Reason}; draining, then exiting with code {ExitCode}")]
    private partial void LogRecycle(string reason, int exitCode);
}
