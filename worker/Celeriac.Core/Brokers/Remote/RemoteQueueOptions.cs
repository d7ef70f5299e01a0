using Celeriac.Hosting;

namespace Celeriac.Brokers.Remote;

/// <summary>
/// Settings every broker on a remote queue service shares (SQS, Service Bus): how the receive loop polls, and whether
/// missing queues are created. Each broker's options class derives from this one, so the keys sit in its own section
/// (<c>Celeriac:Broker:Sqs:LongPollSeconds</c>) and the defaults are written here once.
/// </summary>
public abstract class RemoteQueueOptions
{
    /// <summary>Create missing queues on first use (development, emulators). Production queues usually come from infrastructure code.</summary>
    public bool AutoCreateQueues { get; set; }

    /// <summary>Longest long poll, in seconds (SQS allows up to 20).</summary>
    public int LongPollSeconds { get; set; } = 20;

    /// <summary>With several queues and all empty, the long poll on one queue lasts at most this, so the others are looked at again soon.</summary>
    public int MultiQueuePollSeconds { get; set; } = 1;

    /// <summary>A queue found empty is not asked again for this long (unless this process sent to it), so empty priority levels cost few requests.</summary>
    public TimeSpan EmptyQueueBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>When many slots are free, up to this many full receives go out at once.</summary>
    public int MaxParallelReceives { get; set; } = 4;

    /// <summary>The rules of these settings, for the broker's own validator (<see cref="OptionsSectionValidator{TOptions}"/>).</summary>
    public void Check(OptionsCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        check.NotNegative(LongPollSeconds, nameof(LongPollSeconds));
        check.Positive(MultiQueuePollSeconds, nameof(MultiQueuePollSeconds));
        check.NotNegative(EmptyQueueBackoff, nameof(EmptyQueueBackoff));
        check.Positive(MaxParallelReceives, nameof(MaxParallelReceives));
    }
}
