using System.Threading.Channels;
using Celeriac.Brokers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Celeriac.Worker;

/// <summary>
/// Collects acknowledgements and sends them to the broker in batches: whatever accumulated while the
/// previous batch was in flight goes in the next one. A lost ack only means a redelivery (at-least-once).
/// <see cref="Enqueue"/> returns when the batch holding the ack was sent, so that a worker frees a slot
/// (and fetches again) only once the broker no longer counts the finished message as in flight, and an
/// acks-early task starts only once its message is gone. A hosted service registered before the worker, so it stops
/// after the worker's drain and sends the last acks first.
/// </summary>
public sealed partial class AckBatcher : BackgroundService
{
    private const int MaxBatch = 500;
    private readonly IBroker _broker;
    private readonly ILogger<AckBatcher> _logger;
    private readonly Channel<(BrokerMessage Message, TaskCompletionSource Sent)> _channel =
        Channel.CreateUnbounded<(BrokerMessage, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private long _pending;

    public AckBatcher(IBroker broker, ILogger<AckBatcher> logger)
    {
        _broker = broker;
        _logger = logger;
    }

    /// <summary>Queues an ack; the task completes once its batch was sent (whether the broker accepted it or not). Never throws.</summary>
    public Task Enqueue(BrokerMessage message)
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _pending);
        if (!_channel.Writer.TryWrite((message, sent)))
        {
            Interlocked.Decrement(ref _pending);
            LogAfterClose(message.Queue);
            return Task.CompletedTask;
        }
        return sent.Task;
    }

    /// <summary>Waits until every ack enqueued so far has been sent.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (Interlocked.Read(ref _pending) > 0 && ExecuteTask is { IsCompleted: false })
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends batches until the channel is completed at stop and drained; the stopping token is not what ends it.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<BrokerMessage>(MaxBatch);
        var waiting = new List<TaskCompletionSource>(MaxBatch);
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var item))
            {
                batch.Add(item.Message);
                waiting.Add(item.Sent);
            }
            try
            {
                await _broker.AckAsync(batch, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogAckFailed(ex, batch.Count);
            }
            Interlocked.Add(ref _pending, -batch.Count);
            foreach (var sent in waiting) sent.TrySetResult();
            batch.Clear();
            waiting.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        if (ExecuteTask is { } loop) await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(LogLevel.Warning, "Acknowledging {Count} messages failed; they will be delivered again when their leases expire")]
    private partial void LogAckFailed(Exception exception, int count);

    [LoggerMessage(LogLevel.Warning, "An ack for queue {Queue} came after shutdown; the message will be delivered again")]
    private partial void LogAfterClose(string queue);
}
