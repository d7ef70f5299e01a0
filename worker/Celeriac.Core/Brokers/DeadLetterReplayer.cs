using Celeriac.Envelope;

namespace Celeriac.Brokers;

/// <summary>Sends dead letters back to their queues with a fresh retry budget (attempt 0), then deletes them.</summary>
public sealed class DeadLetterReplayer(IBroker broker, IBrokerAdmin admin)
{
    public async Task<int> ReplayAsync(string? queue, IReadOnlyCollection<string>? ids, int limit, CancellationToken cancellationToken)
    {
        var letters = await admin.ListDeadLettersAsync(queue, ids is null ? limit : int.MaxValue, cancellationToken).ConfigureAwait(false);
        var chosen = letters.Where(d => ids is null || ids.Contains(d.Id)).Take(limit).ToList();
        if (chosen.Count == 0) return 0;
        var messages = chosen.Select(d => Reset(d)).ToList();
        await broker.SendAsync(messages, cancellationToken).ConfigureAwait(false);
        await admin.DeleteDeadLettersAsync([.. chosen.Select(d => d.Id)], cancellationToken).ConfigureAwait(false);
        return chosen.Count;
    }

    /// <summary>A parseable envelope restarts at attempt 0; anything else is replayed byte for byte.</summary>
    private static OutgoingMessage Reset(DeadLetter letter)
    {
        try
        {
            var envelope = EnvelopeSerializer.Deserialize(letter.Body.Span);
            // A replay is a new send of the task: a transport that deduplicates by message id must not drop it.
            return EnvelopeMessages.ToOutgoing(envelope with { Attempt = 0, Eta = null }) with
            {
                Queue = letter.Queue.Length > 0 ? letter.Queue : envelope.Queue,
                MessageId = null,
            };
        }
        catch (InvalidEnvelopeException)
        {
            return new OutgoingMessage(letter.Queue, letter.Body);
        }
    }
}
