using Celeriac.Envelope;
using Celeriac.Hosting;
using Celeriac.Registry;
using Celeriac.Tasks;
using Microsoft.Extensions.Options;

namespace Celeriac.Client;

public sealed class TaskClient(TaskPublisher publisher, TaskRegistry registry, RegisteredTasks registered, IOptions<CeleriacOptions> options) : ITaskClient
{
    private readonly int _batchSize = Math.Max(1, options.Value.EnqueueBatchSize);

    public Task<string> EnqueueAsync<TArgs>(TArgs args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : notnull =>
        SendOneAsync(registry.GetByArgs(typeof(TArgs)).Name, EnvelopeSerializer.SerializeArgs(args), options, cancellationToken);

    public Task<string> EnqueueAsync<TTask>(object args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TTask : class
    {
        ArgumentNullException.ThrowIfNull(args);
        var descriptor = registry.GetByType(typeof(TTask));
        if (!descriptor.ArgsType.IsInstanceOfType(args))
            throw new ArgumentException($"{typeof(TTask).Name} takes {descriptor.ArgsType.Name}, not {args.GetType().Name}.", nameof(args));
        return SendOneAsync(descriptor.Name, EnvelopeSerializer.SerializeArgs(args, descriptor.ArgsType), options, cancellationToken);
    }

    public Task<string> EnqueueAsync(string taskName, object args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        ArgumentNullException.ThrowIfNull(args);
        return SendOneAsync(taskName, EnvelopeSerializer.SerializeArgs(args, args.GetType()), options, cancellationToken);
    }

    /// <summary>Sends one task; returns its id, or the id of a duplicate that holds the task's enqueue lock (nothing sent then).</summary>
    private async Task<string> SendOneAsync(string taskName, System.Text.Json.JsonElement args, EnqueueOptions? options, CancellationToken cancellationToken)
    {
        var envelope = await CreateCheckedAsync(taskName, args, options, cancellationToken).ConfigureAwait(false);
        var ids = await publisher.SendAsync([envelope], cancellationToken).ConfigureAwait(false);
        return ids[0];
    }

    /// <summary>
    /// The envelope for a send; a task this process has no code for is routed and locked by the options live workers
    /// published, and refused when they would not know it (<see cref="RegisteredTasks.Check"/>).
    /// </summary>
    private async ValueTask<TaskEnvelope> CreateCheckedAsync(string taskName, System.Text.Json.JsonElement args, EnqueueOptions? options, CancellationToken cancellationToken)
    {
        if (registry.TryGet(taskName, out _)) return publisher.CreateEnvelope(taskName, args, options);
        await registered.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var envelope = publisher.CreateEnvelope(taskName, args, options);
        registered.Check(envelope);
        return envelope;
    }

    public Task<long> EnqueueManyAsync<TArgs>(IAsyncEnumerable<TArgs> items, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : notnull =>
        EnqueueManyAsync(registry.GetByArgs(typeof(TArgs)).Name, items, options, cancellationToken);

    public async Task<long> EnqueueManyAsync<TArgs>(string taskName, IAsyncEnumerable<TArgs> items, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : notnull
    {
        ArgumentNullException.ThrowIfNull(items);
        if (options?.TaskId is not null)
            throw new ArgumentException("A fixed TaskId cannot be used for many tasks.", nameof(options));
        var batch = new List<TaskEnvelope>(_batchSize);
        long count = 0;
        async Task FlushAsync()
        {
            var ids = await publisher.SendAsync(batch, cancellationToken).ConfigureAwait(false);
            // A duplicate withheld for a lock held by another task is not counted as enqueued.
            count += ids.Where((id, i) => id == batch[i].Id).Count();
            batch.Clear();
        }
        await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var itemArgs = EnvelopeSerializer.SerializeArgs(item);
            batch.Add(count == 0 && batch.Count == 0
                ? await CreateCheckedAsync(taskName, itemArgs, options, cancellationToken).ConfigureAwait(false)
                : publisher.CreateEnvelope(taskName, itemArgs, options));
            if (batch.Count == _batchSize) await FlushAsync().ConfigureAwait(false);
        }
        if (batch.Count > 0) await FlushAsync().ConfigureAwait(false);
        return count;
    }
}
