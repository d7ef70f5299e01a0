namespace Celeriac.ServiceBus.Peer.Amqp;

/// <summary>An operation that finished when it began (link opens: the peer decides at once).</summary>
internal sealed class CompletedResult(object? state) : IAsyncResult
{
    public object? AsyncState { get; } = state;
    public WaitHandle AsyncWaitHandle => throw new NotSupportedException();
    public bool CompletedSynchronously => true;
    public bool IsCompleted => true;
}
