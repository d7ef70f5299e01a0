using Celeriac.Envelope;
using Celeriac.Hosting;
using Celeriac.Stores;
using Celeriac.Tasks;
using Microsoft.Extensions.Options;

namespace Celeriac.Client;

public sealed class TaskClient(TaskPublisher publisher, TaskRegistry registry, IOptions<CeleriacOptions> options, ITaskLockStore? locks = null) : ITaskClient
{
    private readonly int _batchSize = Math.Max(1, options.Value.EnqueueBatchSize);

    public async Task<string> EnqueueAsync<TArgs>(TArgs args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : notnull
    {
        var descriptor = registry.GetByArgs(typeof(TArgs));
        var envelope = publisher.CreateEnvelope(descriptor.Name, EnvelopeSerializer.SerializeArgs(args), options);
        return await SendOneAsync(envelope, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> EnqueueAsync(string taskName, object args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        ArgumentNullException.ThrowIfNull(args);
        var envelope = publisher.CreateEnvelope(taskName, EnvelopeSerializer.SerializeArgs(args, args.GetType()), options);
        return await SendOneAsync(envelope, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one envelope, unless its task is locked at enqueue and a duplicate holds the lock: then returns the holder's id.</summary>
    private async Task<string> SendOneAsync(TaskEnvelope envelope, CancellationToken cancellationToken)
    {
        var (holder, key) = await LockAtEnqueueAsync(envelope, cancellationToken).ConfigureAwait(false);
        if (holder is not null) return holder;
        try
        {
            await publisher.SendAsync([envelope], cancellationToken).ConfigureAwait(false);
        }
        catch when (key is not null)
        {
            await locks!.ReleaseAsync(key, envelope.Id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        return envelope.Id;
    }

    /// <summary>For a task locked at enqueue: takes its lock for this envelope; returns the other holder when there is one, and the key taken.</summary>
    private async Task<(string? Holder, string? Key)> LockAtEnqueueAsync(TaskEnvelope envelope, CancellationToken cancellationToken)
    {
        if (locks is null || !registry.TryGet(envelope.Task, out var descriptor) || descriptor.Options.Lock != TaskLockMode.SkipAtEnqueue)
            return (null, null);
        var key = TaskLockKey.For(envelope.Task, envelope.Args);
        var holder = await locks.AcquireAsync(key, envelope.Id, descriptor.Options.LockTtl, cancellationToken).ConfigureAwait(false);
        return holder == envelope.Id ? (null, key) : (holder, null);
    }

    public Task<long> EnqueueManyAsync<TArgs>(IAsyncEnumerable<TArgs> items, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : notnull =>
        EnqueueManyAsync(registry.GetByArgs(typeof(TArgs)).Name, items, options, cancellationToken);

    public async Task<long> EnqueueManyAsync<TArgs>(string taskName, IAsyncEnumerable<TArgs> items, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : notnull
    {
        if (options?.TaskId is not null)
            throw new ArgumentException("A fixed TaskId cannot be used for many tasks.", nameof(options));
        var batch = new List<TaskEnvelope>(_batchSize);
        long count = 0;
        await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var envelope = publisher.CreateEnvelope(taskName, EnvelopeSerializer.SerializeArgs(item), options);
            if ((await LockAtEnqueueAsync(envelope, cancellationToken).ConfigureAwait(false)).Holder is not null) continue;
            batch.Add(envelope);
            if (batch.Count == _batchSize)
            {
                await publisher.SendAsync(batch, cancellationToken).ConfigureAwait(false);
                count += batch.Count;
                batch.Clear();
            }
        }
        if (batch.Count > 0)
        {
            await publisher.SendAsync(batch, cancellationToken).ConfigureAwait(false);
            count += batch.Count;
        }
        return count;
    }
}
