using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Celeriac.Worker;

internal static class WorkerHealthResult
{
    public static HealthCheckResult Of((bool Ok, string Detail) state) =>
        state.Ok ? HealthCheckResult.Healthy(state.Detail) : HealthCheckResult.Unhealthy(state.Detail);
}
