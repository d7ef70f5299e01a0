using Celeriac.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Hosting;

/// <summary>
/// Celeriac's health checks, tagged so that an application serves them beside its own:
/// <c>services.AddHealthChecks().AddCeleriacChecks()</c>, then <c>MapHealthChecks("/healthz")</c> filtered on
/// <see cref="LiveTag"/> and <c>MapHealthChecks("/readyz")</c> on <see cref="ReadyTag"/> (the worker host's
/// <c>MapCeleriacHealth()</c> does exactly that).
/// </summary>
public static class CeleriacHealthChecks
{
    /// <summary>The tag of the checks that say whether the process should be restarted.</summary>
    public const string LiveTag = "live";

    /// <summary>The tag of the checks that say whether the process should get work.</summary>
    public const string ReadyTag = "ready";

    public const string LivenessName = "celeriac-worker-live";
    public const string ReadinessName = "celeriac-worker-ready";

    /// <summary>Adds the worker's liveness (tagged <see cref="LiveTag"/>) and readiness (tagged <see cref="ReadyTag"/>) checks.</summary>
    public static IHealthChecksBuilder AddCeleriacChecks(this IHealthChecksBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .AddCheck<WorkerLivenessCheck>(LivenessName, tags: [LiveTag])
            .AddCheck<WorkerReadinessCheck>(ReadinessName, tags: [ReadyTag]);
    }
}
