using Celeriac.Expiry;
using Celeriac.Locks;
using Celeriac.Observability;
using Celeriac.RateLimits;
using Celeriac.Results;
using Celeriac.Retries;
using Celeriac.Revocation;
using Celeriac.TimeLimits;
using Celeriac.Worker;
using Celeriac.Workflows;

namespace Celeriac.Hosting;

/// <summary>
/// Celeriac's middlewares, outermost first: the one place where their order is decided. A middleware that also acts at
/// enqueue (tracing, expiry, locks) takes part in sends in the same order.
/// <list type="bullet">
/// <item>Tracing and logging wrap everything, so log scopes carry the trace id; metrics see the final settlement.</item>
/// <item>The workflow step wraps all that decides a step's fate (expiry, results, revocation, retries), so it acts on the
/// final settlement only — never on a failure about to be retried, nor on a hand-back — and sends the next step before
/// the message is acknowledged.</item>
/// <item>Expiry discards before any work. Results store what a task ended with for good, revoked included, so they sit
/// outside revocation and retries.</item>
/// <item>Revocation discards revoked tasks before any work and wraps the run so that it can cancel it.</item>
/// <item>The rate limit and the task lock may hand the message back, so they come before acks-early deletes it; the lock
/// is taken only once a rate-limit slot is ours, so it is never held while waiting.</item>
/// <item>Retries turn what the time limits (and the task) throw into a retry or a dead letter.</item>
/// </list>
/// Application middlewares (<see cref="CeleriacBuilder.UseMiddleware{TMiddleware}"/>) run next to the task unless
/// placed before or after one of these.
/// </summary>
public static class BuiltInMiddlewares
{
    public static IReadOnlyList<Type> Order { get; } =
    [
        typeof(TracingMiddleware),
        typeof(LoggingMiddleware),
        typeof(MetricsMiddleware),
        typeof(WorkflowMiddleware),
        typeof(ExpiryMiddleware),
        typeof(ResultMiddleware),
        typeof(RevocationMiddleware),
        typeof(RateLimitMiddleware),
        typeof(TaskLockMiddleware),
        typeof(AcksEarlyMiddleware),
        typeof(RetryMiddleware),
        typeof(TimeLimitMiddleware),
    ];
}
