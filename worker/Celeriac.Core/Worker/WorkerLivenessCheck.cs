using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Celeriac.Worker;

/// <summary>Liveness: the worker's fetch loop turns (a stalled loop is worth a restart). Healthy in a process without a worker.</summary>
public sealed class WorkerLivenessCheck(WorkerHealth? health = null) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(health is null ? HealthCheckResult.Healthy("no Celeriac worker in this process") : WorkerHealthResult.Of(health.Liveness()));
}
