namespace Celeriac.Brokers;

/// <summary>What every broker checks first in <see cref="IBroker.ReceiveAsync"/>: written once so the brokers agree on it.</summary>
public static class ReceiveArguments
{
    public static void Check(IReadOnlyList<string> queues, int maxMessages, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessages);
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), "A lease must be positive.");
        cancellationToken.ThrowIfCancellationRequested();
    }
}
