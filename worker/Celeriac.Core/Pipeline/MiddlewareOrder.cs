namespace Celeriac.Pipeline;

/// <summary>
/// The order of the middlewares, outermost first: Celeriac's built-in list (<c>Hosting/BuiltInMiddlewares.cs</c>,
/// the one place it is decided) with the user's inserted where they asked — innermost by default, or just before or
/// after a built-in. A type that implements <see cref="IEnqueueMiddleware"/> takes part in sends in the same order.
/// </summary>
public sealed class MiddlewareOrder
{
    public MiddlewareOrder(IReadOnlyList<Type> builtIn, IEnumerable<MiddlewareRegistration> added)
    {
        ArgumentNullException.ThrowIfNull(builtIn);
        ArgumentNullException.ThrowIfNull(added);
        var order = builtIn.ToList();
        foreach (var registration in added)
        {
            if (order.Contains(registration.Type)) continue;
            var anchor = registration.Before ?? registration.After;
            var at = anchor is null ? -1 : order.IndexOf(anchor);
            if (anchor is not null && at < 0)
                throw new InvalidOperationException($"{registration.Type.Name} is to go {(registration.Before is null ? "after" : "before")} {anchor.Name}, which is not in the pipeline.");
            if (at < 0) order.Add(registration.Type);
            else order.Insert(registration.Before is null ? at + 1 : at, registration.Type);
        }
        Types = order;
    }

    /// <summary>Every middleware type, outermost first.</summary>
    public IReadOnlyList<Type> Types { get; }

    public IEnumerable<Type> RunTypes => Types.Where(typeof(ITaskMiddleware).IsAssignableFrom);

    public IEnumerable<Type> EnqueueTypes => Types.Where(typeof(IEnqueueMiddleware).IsAssignableFrom);
}

/// <summary>A middleware the application added: innermost (next to the task) unless placed before or after a built-in.</summary>
public sealed record MiddlewareRegistration(Type Type, Type? Before = null, Type? After = null);
