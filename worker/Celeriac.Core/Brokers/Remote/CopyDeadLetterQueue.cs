namespace Celeriac.Brokers.Remote;

/// <summary>
/// What a transport without a native dead-letter operation gives <see cref="CopyDeadLetterQueue"/>. Handles are the
/// service's own (SQS receipt handles).
/// </summary>
public interface IDeadLetterCopyTransport
{
    /// <summary>Makes sure this delivery is still held by this process and stays held while it is copied; false for a stale delivery.</summary>
    ValueTask<bool> TakeOverAsync(BrokerMessage message, CancellationToken cancellationToken);

    /// <summary>Sends a copy of a body with attributes to a queue (created when missing and allowed).</summary>
    ValueTask SendCopyAsync(string queue, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string> attributes, CancellationToken cancellationToken);

    /// <summary>Deletes the delivery that was copied.</summary>
    ValueTask DeleteAsync(BrokerMessage message, CancellationToken cancellationToken);

    /// <summary>Every message of a queue, hidden from other readers until restored or deleted (a service that cannot peek locks them).</summary>
    ValueTask<IReadOnlyList<HeldDeadLetter>> HoldAllAsync(string queue, CancellationToken cancellationToken);

    ValueTask RestoreAsync(string queue, IReadOnlyList<HeldDeadLetter> letters, CancellationToken cancellationToken);

    ValueTask DeleteHeldAsync(string queue, IReadOnlyList<HeldDeadLetter> letters, CancellationToken cancellationToken);
}

/// <summary>A dead letter read from the dead-letter queue, with the handle that settles or restores it.</summary>
public sealed record HeldDeadLetter(DeadLetter Letter, string Handle);

/// <summary>
/// Celeriac's own dead-letter queue on a service without native dead-lettering: a copy of the message, with the reason,
/// the source queue and the time as attributes (<see cref="RemoteAttributes.ForDeadLetter"/>), is written before the
/// original is deleted, so a crash in between leaves a duplicate dead letter, never a lost one.
/// </summary>
public sealed class CopyDeadLetterQueue(IDeadLetterCopyTransport transport, string queue, TimeProvider time)
{
    public string Queue { get; } = queue;

    /// <returns>False when the delivery was no longer held (received again elsewhere, or settled): nothing was copied.</returns>
    public async ValueTask<bool> DeadLetterAsync(BrokerMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(reason);
        if (!await transport.TakeOverAsync(message, cancellationToken).ConfigureAwait(false)) return false;
        var attributes = RemoteAttributes.ForDeadLetter(message.Queue, reason, time.GetUtcNow());
        await transport.SendCopyAsync(Queue, message.Body, attributes, cancellationToken).ConfigureAwait(false);
        await transport.DeleteAsync(message, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Dead letters, oldest first by the time of dead-lettering, optionally only those from <paramref name="source"/>.</summary>
    public async ValueTask<IReadOnlyList<DeadLetter>> ListAsync(string? source, int limit, CancellationToken cancellationToken)
    {
        var held = await HoldSortedAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return [.. held.Select(l => l.Letter).Where(d => source is null || d.Queue == source).Take(limit)];
        }
        finally
        {
            await transport.RestoreAsync(Queue, held, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async ValueTask<int> DeleteAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var held = await HoldSortedAsync(cancellationToken).ConfigureAwait(false);
        var wanted = ids.ToHashSet(StringComparer.Ordinal);
        var chosen = held.Where(l => wanted.Contains(l.Letter.Id)).ToList();
        try
        {
            if (chosen.Count > 0) await transport.DeleteHeldAsync(Queue, chosen, cancellationToken).ConfigureAwait(false);
            return chosen.Count;
        }
        finally
        {
            await transport.RestoreAsync(Queue, [.. held.Where(l => !wanted.Contains(l.Letter.Id))], CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<List<HeldDeadLetter>> HoldSortedAsync(CancellationToken cancellationToken)
    {
        var held = await transport.HoldAllAsync(Queue, cancellationToken).ConfigureAwait(false);
        return [.. held.OrderBy(l => l.Letter.DeadLetteredAt).ThenBy(l => l.Letter.Id, StringComparer.Ordinal)];
    }
}
