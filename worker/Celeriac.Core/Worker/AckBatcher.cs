using System.Threading.Channels;
using Celeriac.Brokers;
using Microsoft.Extensions.Logging;

namespace Celeriac.Worker;

/// <summary>
/// Collects acknowledgements and sends them to the broker in batches: whatever accumulated while the
/// previous batch was in flight goes in the next one. A lost ack only means a redelivery (at-least-once).
/// </summary>
public sealed partial class AckBatcher : IAsyncDisposable
{
    private const int MaxBatch = 500;
    private readonly IBroker _broker;
    private readonly ILogger<AckBatcher> _logger;
    private readonly Channel<BrokerMessage> _channel = Channel.CreateUnbounded<BrokerMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private long _pending;

    public AckBatcher(IBroker broker, ILogger<AckBatcher> logger)
    {
        _broker = broker;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public void Enqueue(BrokerMessage message)
    {
        Interlocked.Increment(ref _pending);
        if (!_channel.Writer.TryWrite(message))
        {
            Interlocked.Decrement(ref _pending);
            LogAfterClose(message.Queue);
        }
    }

    /// <summary>Waits until every ack enqueued so far has been sent.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (Interlocked.Read(ref _pending) > 0 && !_loop.IsCompleted)
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<BrokerMessage>(MaxBatch);
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var message)) batch.Add(message);
            try
            {
                await _broker.AckAsync(batch, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogAckFailed(ex, batch.Count);
            }
            Interlocked.Add(ref _pending, -batch.Count);
            batch.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    [LoggerMessage(LogLevel.Warning, "Acknowledging {Count} messages failed; they will be delivered again when their leases expire")]
    private partial void LogAckFailed(Exception exception, int count);

    [LoggerMessage(LogLevel.Warning, "An ack for queue {Queue} came after shutdown; the message will be delivered again")]
    private partial void LogAfterClose(string queue);
}
