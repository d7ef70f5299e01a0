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
    /// User middlewares (<see cref="Hosting.CeleriacBuilder.UseMiddleware{T}(Type?, Type?)"/>) run inside these, next to the
    /// task, unless they were placed before or after one of them.
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
        var types = Order(userMiddlewares.ToList());
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

    /// <summary>The built-in order with the user middlewares placed: next to their anchor when they name one, else innermost, in registration order.</summary>
    public static IReadOnlyList<Type> Order(IReadOnlyList<MiddlewareRegistration> userMiddlewares)
    {
        ArgumentNullException.ThrowIfNull(userMiddlewares);
        var types = BuiltInOrder.ToList();
        foreach (var registration in userMiddlewares.Where(m => m.Before is not null || m.After is not null))
        {
            var anchor = registration.Before ?? registration.After!;
            var index = types.IndexOf(anchor);
            if (index < 0)
                throw new InvalidOperationException($"Middleware {registration.Type.Name} is placed next to {anchor.Name}, which is not in the pipeline.");
            types.Insert(registration.Before is not null ? index : index + 1, registration.Type);
        }
        types.AddRange(userMiddlewares.Where(m => m.Before is null && m.After is null).Select(m => m.Type));
        return types;
    }

    public Task RunAsync(TaskContext context) => _entry(context);

    private static async Task InvokeTaskAsync(TaskContext context)
    {
        context.Result = await context.Descriptor.Invoke(context, context.Args).ConfigureAwait(false);
        context.Outcome = TaskOutcome.Succeeded;
    }
}

/// <summary>
/// A user middleware type, in registration order. <see cref="Before"/> (or <see cref="After"/>) places it just outside
/// (or just inside) another middleware of the pipeline; with neither it runs innermost, next to the task.
/// </summary>
public sealed record MiddlewareRegistration(Type Type, Type? Before = null, Type? After = null);
