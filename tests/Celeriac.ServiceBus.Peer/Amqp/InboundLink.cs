using System.Threading.Channels;
using Celeriac.ServiceBus.Peer.Entities;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Encoding;
using Microsoft.Azure.Amqp.Framing;

namespace Celeriac.ServiceBus.Peer.Amqp;

/// <summary>
/// The server end of a sender's link to a queue. Each transfer (one message, or a batch in message format 0x80013700)
/// is enqueued and then settled with accepted; a transfer the peer fails on purpose is rejected with
/// the injected condition (<see cref="PeerFaults"/>), one it cannot decode with <c>amqp:decode-error</c>. Transfers are handled in the
/// order they arrived, off the AMQP library's I/O threads.
/// </summary>
internal sealed class InboundLink
{
    private readonly ReceivingAmqpLink _link;
    private readonly PeerQueue _queue;
    private readonly PeerNamespace _ns;
    private readonly Channel<AmqpMessage> _transfers = Channel.CreateUnbounded<AmqpMessage>(new UnboundedChannelOptions { SingleReader = true });

    public InboundLink(ReceivingAmqpLink link, PeerQueue queue, PeerNamespace ns)
    {
        _link = link;
        _queue = queue;
        _ns = ns;
        link.RegisterMessageListener(m => _transfers.Writer.TryWrite(m));
        link.Closed += (_, _) => _transfers.Writer.TryComplete();
        _ = Task.Run(ProcessAsync);
    }

    private async Task ProcessAsync()
    {
        await foreach (var transfer in _transfers.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                // A transfer still queued when its link went away is dropped: its sender never learns an outcome and sends again.
                if (_link.State != AmqpObjectState.Opened) continue;
                var outcome = await EnqueueAsync(transfer).ConfigureAwait(false);
                if (!transfer.Settled) _link.DisposeMessage(transfer, outcome, true, true);
            }
            catch (Exception ex) when (ex is AmqpException or InvalidOperationException or ObjectDisposedException)
            {
                // The link closed while the outcome was on its way; the sender retries.
            }
            finally
            {
                transfer.Dispose();
            }
        }
    }

    private async Task<Outcome> EnqueueAsync(AmqpMessage transfer)
    {
        _ns.Operations.Count(PeerOperations.Send);
        var delay = _ns.Faults.DelayOf(PeerOperations.Send);
        if (delay > TimeSpan.Zero) await Task.Delay(delay, _ns.Options.TimeProvider).ConfigureAwait(false);
        if (_ns.Faults.Failure(PeerOperations.Send) is { } condition) return Rejected(condition, "Injected by the peer.");
        IReadOnlyList<PeerQueue.Incoming> messages;
        try
        {
            messages = [.. MessageCodec.Unbatch(transfer).Select(MessageCodec.Decode)];
        }
        catch (Exception ex) when (ex is AmqpException or InvalidOperationException or InvalidCastException or ArgumentException)
        {
            return Rejected(AmqpErrorCode.DecodeError, ex.Message);
        }
        var now = _ns.Now;
        foreach (var message in messages) _queue.Enqueue(message, now);
        _ns.Operations.Count(PeerOperations.MessageSent, messages.Count);
        return AmqpConstants.AcceptedOutcome;
    }

    private static Rejected Rejected(AmqpSymbol condition, string description) =>
        new() { Error = new Error { Condition = condition, Description = description } };
}
