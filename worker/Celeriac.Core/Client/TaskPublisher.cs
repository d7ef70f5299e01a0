using System.Text.Json;
using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.Pipeline;
using Celeriac.Registry;
using Celeriac.Routing;
using Celeriac.Tasks;

namespace Celeriac.Client;

/// <summary>
/// Builds envelopes (id, queue by <see cref="TaskRouter"/>, ETA, the caller's expiry and headers) and sends them through
/// the enqueue middlewares (trace context, default expiry, locks taken at enqueue) to the broker.
/// </summary>
public sealed class TaskPublisher
{
    private readonly TaskRegistry _registry;
    private readonly RegisteredTasks _registered;
    private readonly TaskRouter _router;
    private readonly TimeProvider _time;
    private readonly EnqueuePipeline _pipeline;

    public TaskPublisher(IBroker broker, TaskRegistry registry, RegisteredTasks registered, TaskRouter router, MiddlewareOrder order, IServiceProvider services, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(broker);
        _registry = registry;
        _registered = registered;
        _router = router;
        _time = time;
        _pipeline = new EnqueuePipeline(services, order,
            batch => broker.SendAsync([.. batch.ToSend.Select(t => EnvelopeMessages.ToOutgoing(t.Envelope))], batch.CancellationToken).AsTask());
    }

    public TaskEnvelope CreateEnvelope(string taskName, JsonElement args, EnqueueOptions? enqueue)
    {
        var now = _time.GetUtcNow();
        var eta = enqueue?.Eta ?? (enqueue?.Countdown is { } countdown ? now + countdown : null);
        var expires = enqueue?.Expires ?? (enqueue?.ExpiresIn is { } e ? now + e : null);
        return new TaskEnvelope
        {
            Id = enqueue?.TaskId ?? Guid.NewGuid().ToString(),
            Task = taskName,
            Args = args,
            Queue = _router.QueueFor(taskName, OptionsOf(taskName), enqueue?.Queue, enqueue?.Priority),
            Eta = eta > now ? eta : null,
            Expires = expires,
            Created = now,
            Headers = enqueue?.Headers is { Count: > 0 } given ? new Dictionary<string, string>(given, StringComparer.Ordinal) : null,
        };
    }

    /// <summary>Sends the envelopes as one batch; returns, per envelope in order, its id or the id of the task that stands for it (a lock held by a duplicate).</summary>
    public ValueTask<IReadOnlyList<string>> SendAsync(IReadOnlyList<TaskEnvelope> envelopes, CancellationToken cancellationToken) =>
        SendAsync(envelopes, null, cancellationToken);

    private async ValueTask<IReadOnlyList<string>> SendAsync(IReadOnlyList<TaskEnvelope> envelopes, System.Diagnostics.ActivityContext? parent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        cancellationToken.ThrowIfCancellationRequested();
        var batch = new EnqueueBatch(envelopes.Select(e => new PendingTask(e, _registry.TryGet(e.Task, out var d) ? d : null, OptionsOf(e.Task))), cancellationToken) { Parent = parent };
        await _pipeline.SendAsync(batch).ConfigureAwait(false);
        return [.. batch.Tasks.Select(t => t.ResultId)];
    }

    /// <summary>The task's options: its own where this process has its code, else as a live worker published them, else none.</summary>
    private TaskOptions? OptionsOf(string taskName) => _registry.TryGet(taskName, out var descriptor) ? descriptor.Options : _registered.Find(taskName);

    /// <summary>
    /// Re-sends an envelope to be delivered after <paramref name="delay"/> (retries, replays), on behalf of the run
    /// whose trace span is <paramref name="parent"/> when it is given.
    /// </summary>
    public ValueTask<IReadOnlyList<string>> RepublishAsync(TaskEnvelope envelope, TimeSpan delay, CancellationToken cancellationToken, System.Diagnostics.ActivityContext? parent = null)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var eta = delay > TimeSpan.Zero ? _time.GetUtcNow() + delay : (DateTimeOffset?)null;
        return SendAsync([envelope with { Eta = eta }], parent, cancellationToken);
    }
}
