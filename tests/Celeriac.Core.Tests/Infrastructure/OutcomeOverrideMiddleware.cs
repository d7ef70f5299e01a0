using Celeriac.Pipeline;

namespace Celeriac.Tests.Infrastructure;

/// <summary>
/// Ends executions as the rate limiter and the revocation check would, for script labels "rate-limited" and "revoked",
/// without running the task: observers and metrics see those settlements without a store set up for them.
/// </summary>
public sealed class OutcomeOverrideMiddleware : ITaskMiddleware
{
    public Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next) => (execution.Args as ScriptArgs)?.Label switch
    {
        "rate-limited" => Task.FromResult<Settlement>(new Settlement.Released(TimeSpan.FromHours(1), ReleaseReason.RateLimited)),
        "revoked" => Task.FromResult(Settlement.Revoked),
        _ => next(execution),
    };
}
