using Celeriac.Envelope;
using Celeriac.Hosting;
using Celeriac.Tasks;
using Microsoft.Extensions.Options;

namespace Celeriac.Client;

public sealed class TaskClient(TaskPublisher publisher, TaskRegistry registry, IOptions<CeleriacOptions> options) : ITaskClient
{
    private readonly int _batchSize = Math.Max(1, options.Value.EnqueueBatchSize);

    public async Task<string> EnqueueAsync<TArgs>(TArgs args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : notnull
    {
        var descriptor = registry.GetByArgs(typeof(TArgs));
        var envelope = publisher.CreateEnvelope(descriptor.Name, EnvelopeSerializer.SerializeArgs(args), options);
        await publisher.SendAsync([envelope], cancellationToken).ConfigureAwait(false);
        return envelope.Id;
    }

    public async Task<string> EnqueueAsync(string taskName, object args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskName);
        ArgumentNullException.ThrowIfNull(args);
        var envelope = publisher.CreateEnvelope(taskName, EnvelopeSerializer.SerializeArgs(args, args.GetType()), options);
        await publisher.SendAsync([envelope], cancellationToken).ConfigureAwait(false);
        return envelope.Id;
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
            batch.Add(publisher.CreateEnvelope(taskName, EnvelopeSerializer.SerializeArgs(item), options));
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
