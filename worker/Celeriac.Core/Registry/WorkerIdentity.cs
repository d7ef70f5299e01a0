using System.Reflection;

namespace Celeriac.Registry;

/// <summary>Who this process is in the registry and in the task index: one id per process start.</summary>
public sealed class WorkerIdentity(TimeProvider time)
{
    /// <summary>
    /// The pod's name, which the operator's worker Deployments set from the downward API: the operator matches registry
    /// entries to pods by it (idle-first scale-in). The host name is the pod's name too, but cut to 63 characters.
    /// </summary>
    public const string PodNameVariable = "CELERIAC_POD_NAME";

    /// <summary>The pod's name where <see cref="PodNameVariable"/> is set, else the machine's name.</summary>
    public string Host { get; } = HostName();

    public int Pid { get; } = Environment.ProcessId;

    public string Id { get; } = $"{HostName()}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    private static string HostName() => Environment.GetEnvironmentVariable(PodNameVariable) is { Length: > 0 } pod ? pod : Environment.MachineName;

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    /// <summary>Celeriac's version (the informational version of Celeriac.Core).</summary>
    public static string Version { get; } =
        typeof(WorkerIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
