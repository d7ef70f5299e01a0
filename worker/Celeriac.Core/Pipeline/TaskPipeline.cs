using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Pipeline;

/// <summary>Composes the run middlewares around the task, once, in the order <see cref="MiddlewareOrder"/> gives.</summary>
public sealed class TaskPipeline
{
    private readonly TaskDelegate _entry;

    public TaskPipeline(IServiceProvider services, MiddlewareOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        Middlewares = [.. order.RunTypes.Select(t => (ITaskMiddleware)ActivatorUtilities.GetServiceOrCreateInstance(services, t))];
        TaskDelegate next = InvokeTaskAsync;
        for (var i = Middlewares.Count - 1; i >= 0; i--)
        {
            var middleware = Middlewares[i];
            var inner = next;
            next = execution => middleware.InvokeAsync(execution, inner);
        }
        _entry = next;
    }

    public IReadOnlyList<ITaskMiddleware> Middlewares { get; }

    public Task<Settlement> RunAsync(TaskExecution execution) => _entry(execution);

    private static async Task<Settlement> InvokeTaskAsync(TaskExecution execution) =>
        new Settlement.Succeeded(await execution.Descriptor.Invoke(execution.Services, execution.Args, execution.CreateTaskContext()).ConfigureAwait(false));
}

/// <summary>Composes the enqueue middlewares around the broker send, once.</summary>
public sealed class EnqueuePipeline
{
    private readonly EnqueueDelegate _entry;

    /// <param name="send">Sends what the middlewares left to send.</param>
    public EnqueuePipeline(IServiceProvider services, MiddlewareOrder order, Func<EnqueueBatch, Task> send)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(send);
        Middlewares = [.. order.EnqueueTypes.Select(t => (IEnqueueMiddleware)ActivatorUtilities.GetServiceOrCreateInstance(services, t))];
        EnqueueDelegate next = batch => send(batch);
        for (var i = Middlewares.Count - 1; i >= 0; i--)
        {
            var middleware = Middlewares[i];
            var inner = next;
            next = batch => middleware.InvokeAsync(batch, inner);
        }
        _entry = next;
    }

    public IReadOnlyList<IEnqueueMiddleware> Middlewares { get; }

    public Task SendAsync(EnqueueBatch batch) => _entry(batch);
}
