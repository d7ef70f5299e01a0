using System.Text.Json;
using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Envelope;
using Celeriac.Hosting;
using Celeriac.Tasks;
using Microsoft.Extensions.Options;

namespace Celeriac.FanOut;

/// <summary>
/// Sends one task per item of a large source in chunks: it waits until the target queues' backlog is below the plan's
/// bound before each chunk, and saves its position after each, so memory holds one chunk, the broker holds at most the
/// bound plus one chunk, and a restarted producer resumes where the last completed chunk ended (at most that one chunk
/// is sent twice, when the crash came between sending it and saving the checkpoint).
/// </summary>
public sealed class FanOutClient(TaskPublisher publisher, TaskRegistry registry, IBroker broker, IFanOutProgressStore progress, IOptions<CeleriacOptions> options, TimeProvider time)
{
    private readonly int _batchSize = Math.Max(1, options.Value.EnqueueBatchSize);

    public async Task<FanOutReport> FanOutAsync<TItem, TArgs>(FanOutPlan<TItem> plan, Func<TItem, TArgs> args, CancellationToken cancellationToken = default)
        where TArgs : notnull
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentException.ThrowIfNullOrEmpty(plan.ProgressKey, "plan.ProgressKey");
        ArgumentOutOfRangeException.ThrowIfLessThan(plan.ChunkSize, 1, "plan.ChunkSize");
        ArgumentOutOfRangeException.ThrowIfLessThan(plan.MaxBacklog, 1, "plan.MaxBacklog");

        var taskName = plan.TaskName ?? registry.GetByArgs(typeof(TArgs)).Name;
        var enqueue = new EnqueueOptions { Queue = plan.Queue };
        var queue = plan.Queue ?? (registry.TryGet(taskName, out var descriptor) ? descriptor.Options.Queue : "default");
        var backlogQueues = plan.BacklogQueues ?? [queue];

        var saved = await progress.GetCheckpointAsync(plan.ProgressKey, cancellationToken).ConfigureAwait(false) is { } json
            ? JsonSerializer.Deserialize(json, FanOutJson.Default.FanOutCheckpoint)
            : null;
        var resumed = saved is not null;
        var checkpoint = saved ?? new FanOutCheckpoint(null, 0, false);
        long sent = 0;
        var chunks = 0;
        var batch = new List<TaskEnvelope>(Math.Min(_batchSize, plan.ChunkSize));
        while (!checkpoint.Done)
        {
            await WaitForBacklogAsync(backlogQueues, plan, cancellationToken).ConfigureAwait(false);
            var page = await plan.Source.ReadAsync(checkpoint.Position, plan.ChunkSize, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                batch.Add(publisher.CreateEnvelope(taskName, EnvelopeSerializer.SerializeArgs(args(item)), enqueue));
                if (batch.Count == _batchSize) await SendAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            await SendAsync(batch, cancellationToken).ConfigureAwait(false);
            sent += page.Items.Count;
            chunks++;
            checkpoint = new FanOutCheckpoint(page.Next, checkpoint.Sent + page.Items.Count, page.Next is null);
            await progress.SetCheckpointAsync(plan.ProgressKey, JsonSerializer.Serialize(checkpoint, FanOutJson.Default.FanOutCheckpoint), CancellationToken.None)
                .ConfigureAwait(false);
        }
        return new FanOutReport(sent, checkpoint.Sent, chunks, resumed, checkpoint.Done);
    }

    private async Task SendAsync(List<TaskEnvelope> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return;
        cancellationToken.ThrowIfCancellationRequested();
        await publisher.SendAsync(batch, cancellationToken).ConfigureAwait(false);
        batch.Clear();
    }

    private async Task WaitForBacklogAsync<TItem>(IReadOnlyList<string> queues, FanOutPlan<TItem> plan, CancellationToken cancellationToken)
    {
        while (true)
        {
            long backlog = 0;
            foreach (var queue in queues) backlog += (await broker.GetDepthAsync(queue, cancellationToken).ConfigureAwait(false)).Total;
            if (backlog < plan.MaxBacklog) return;
            await Task.Delay(plan.PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
