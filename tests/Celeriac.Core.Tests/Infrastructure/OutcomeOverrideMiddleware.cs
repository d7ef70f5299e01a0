using Celeriac.Pipeline;

namespace Celeriac.Tests.Infrastructure;

/// <summary>
/// Stands in for the rate limiter and revocation check that are not built yet: for script labels "rate-limited"
/// and "revoked" it settles the message as they will, without running the task.
/// </summary>
public sealed class OutcomeOverrideMiddleware : ITaskMiddleware
{
    public Task InvokeAsync(TaskContext context, TaskDelegate next)
    {
        switch ((context.Args as ScriptArgs)?.Label)
        {
            case "rate-limited":
                context.Release(TimeSpan.FromHours(1));
                context.Outcome = TaskOutcome.RateLimited;
                return Task.CompletedTask;
            case "revoked":
                context.Ack();
                context.Outcome = TaskOutcome.Revoked;
                return Task.CompletedTask;
            default:
                return next(context);
        }
    }
}
