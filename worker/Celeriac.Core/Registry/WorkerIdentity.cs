using System.Reflection;

namespace Celeriac.Registry;

/// <summary>Who this process is in the registry and in the task index: one id per process start.</summary>
public sealed class WorkerIdentity(TimeProvider time)
{
    public string Host { get; } = Environment.MachineName;

    public int Pid { get; } = Environment.ProcessId;

    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    /// <summary>Celeriac's version (the informational version of Celeriac.Core).</summary>
    public static string Version { get; } =
        typeof(WorkerIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
