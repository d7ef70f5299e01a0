using Celeriac.Envelope;
using Celeriac.TaskIndex;

namespace Celeriac.Brokers;

/// <summary>
/// Sends dead letters back to their queues with a fresh retry budget (attempt 0), then deletes them. With the
/// recent-tasks index, each replayed task's record starts over, so that its new run shows instead of the old failure.
/// </summary>
public sealed class DeadLetterReplayer(IBroker broker, IBrokerAdmin admin, TaskIndexWriter? index = null, TimeProvider? time = null)
{
    public async Task<int> ReplayAsync(string? queue, IReadOnlyCollection<string>? ids, int limit, CancellationToken cancellationToken)
    {
        var letters = await admin.ListDeadLettersAsync(queue, ids is null ? limit : int.MaxValue, cancellationToken).ConfigureAwait(false);
        var chosen = letters.Where(d => ids is null || ids.Contains(d.Id)).Take(limit).ToList();
        if (chosen.Count == 0) return 0;
        var messages = chosen.Select(d => Reset(d)).ToList();
        if (index is { Enabled: true })
        {
            // Written before the send: a worker's start of the new run must land after the record started over.
            var now = (time ?? TimeProvider.System).GetUtcNow();
            foreach (var envelope in chosen.Select(Parse).OfType<TaskEnvelope>())
                index.Record(new TaskEvent(envelope.Id, TaskState.Queued, now) { TaskName = envelope.Task, Queue = envelope.Queue, EnqueuedAt = now, Reset = true });
            await index.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        await broker.SendAsync(messages, cancellationToken).ConfigureAwait(false);
        await admin.DeleteDeadLettersAsync([.. chosen.Select(d => d.Id)], cancellationToken).ConfigureAwait(false);
        return chosen.Count;
    }

    private static TaskEnvelope? Parse(DeadLetter letter)
    {
        try
        {
            return EnvelopeSerializer.Deserialize(letter.Body.Span);
        }
        catch (InvalidEnvelopeException)
        {
            return null;
        }
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
