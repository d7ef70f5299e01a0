using Celeriac.Pipeline.Middlewares;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Pipeline;

/// <summary>Composes the middlewares around the task invocation, once, at start-up.</summary>
public sealed class TaskPipeline
{
    /// <summary>
    /// Celeriac's middlewares, outermost first. This list is the one place where their order is decided:
    /// tracing and logging wrap everything (so log scopes carry the trace id); metrics see the final outcome; the workflow
    /// step wraps all that decides a step's fate (expiry, revocation, results, retries), so it acts on the final outcome
    /// only (never on a failure about to be retried, nor on a release) and sends the next step before the message is
    /// acknowledged; expiry discards before any work;
    /// revocation discards revoked tasks before any work and wraps the run so it can cancel it; the rate limit and
    /// the task lock may return the message to its queue, so they come before acks-early deletes it (and the lock is
    /// only taken once a rate-limit slot is ours, so it is never held while waiting); acks-early settles before the
    /// task runs; results sit outside retries so they store the final outcome, never a failure about to be retried;
    /// retries catch what the time limits throw.
    /// User middlewares (<see cref="Hosting.CeleriacBuilder.UseMiddleware{T}"/>) run inside these, next to the task.
    /// </summary>
    public static IReadOnlyList<Type> BuiltInOrder { get; } =
    [
        typeof(TracingMiddleware),
        typeof(LoggingMiddleware),
        typeof(MetricsMiddleware),
        typeof(WorkflowMiddleware),
        typeof(ExpiryMiddleware),
        typeof(RevocationMiddleware),
        typeof(RateLimitMiddleware),
        typeof(TaskLockMiddleware),
        typeof(AcksEarlyMiddleware),
        typeof(ResultMiddleware),
        typeof(RetryMiddleware),
        typeof(TimeLimitMiddleware),
    ];

    private readonly TaskDelegate _entry;

    public TaskPipeline(IServiceProvider services, IEnumerable<MiddlewareRegistration> userMiddlewares)
    {
        var types = BuiltInOrder.Concat(userMiddlewares.Select(m => m.Type)).ToList();
        Middlewares = [.. types.Select(t => (ITaskMiddleware)ActivatorUtilities.GetServiceOrCreateInstance(services, t))];
        TaskDelegate next = InvokeTaskAsync;
        for (var i = Middlewares.Count - 1; i >= 0; i--)
        {
            var middleware = Middlewares[i];
            var inner = next;
            next = context => middleware.InvokeAsync(context, inner);
        }
        _entry = next;
    }

    public IReadOnlyList<ITaskMiddleware> Middlewares { get; }

    public Task RunAsync(TaskContext context) => _entry(context);

    private static async Task InvokeTaskAsync(TaskContext context)
    {
        context.Result = await context.Descriptor.Invoke(context, context.Args).ConfigureAwait(false);
        context.Outcome = TaskOutcome.Succeeded;
    }
}

/// <summary>A user middleware type, in registration order.</summary>
public sealed record MiddlewareRegistration(Type Type);
