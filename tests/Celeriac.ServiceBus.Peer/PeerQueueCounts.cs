namespace Celeriac.ServiceBus.Peer;

/// <summary>
/// A queue's counts as the runtime properties report them: Active includes locked messages (as the service counts
/// them); Locked says how many of those a receiver holds; DeadLetter is the <c>$DeadLetterQueue</c> subqueue.
/// </summary>
public readonly record struct PeerQueueCounts(long Active, long Scheduled, long Deferred, long Locked, long DeadLetter)
{
    public long Total => Active + Scheduled + Deferred + DeadLetter;
}
