using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Celeriac.Worker;

/// <summary>Readiness: the worker has started, its broker answers, and it is not draining. Healthy in a process without a worker.</summary>
public sealed class WorkerReadinessCheck(WorkerHealth? health = null) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(health is null ? HealthCheckResult.Healthy("no Celeriac worker in this process") : WorkerHealthResult.Of(health.Readiness()));
}
