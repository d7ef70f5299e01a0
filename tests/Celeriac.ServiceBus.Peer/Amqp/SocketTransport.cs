using System.Net.Sockets;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Transport;

namespace Celeriac.ServiceBus.Peer.Amqp;

/// <summary>
/// An AMQP transport over a socket the peer accepted itself (the library's own TCP transport is internal).
/// Follows the library's contract: an operation returns false when it completed synchronously (its callback is then
/// not called), true when it is pending (the callback is called when it completes).
/// </summary>
internal sealed class SocketTransport : TransportBase
{
    private readonly Socket _socket;

    public SocketTransport(Socket socket)
        : base("peer-tcp")
    {
        _socket = socket;
        LocalEndPoint = socket.LocalEndPoint?.ToString() ?? "";
        RemoteEndPoint = socket.RemoteEndPoint?.ToString() ?? "";
    }

    public override string LocalEndPoint { get; }

    public override string RemoteEndPoint { get; }

    public override void SetMonitor(ITransportMonitor usageMeter)
    {
    }

    public override bool WriteAsync(TransportAsyncCallbackArgs args)
    {
        IList<ArraySegment<byte>> buffers = args.Buffer is not null
            ? [new ArraySegment<byte>(args.Buffer, args.Offset, args.Count)]
            : [.. args.ByteBufferList.Select(b => new ArraySegment<byte>(b.Buffer, b.Offset, b.Length))];
        Task<int> send;
        try
        {
            send = _socket.SendAsync(buffers, SocketFlags.None);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            send = Task.FromException<int>(ex);
        }
        return Complete(send, args);
    }

    public override bool ReadAsync(TransportAsyncCallbackArgs args)
    {
        Task<int> receive;
        try
        {
            receive = _socket.ReceiveAsync(args.Buffer.AsMemory(args.Offset, args.Count), SocketFlags.None).AsTask();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            receive = Task.FromException<int>(ex);
        }
        return Complete(receive, args);
    }

    private static bool Complete(Task<int> operation, TransportAsyncCallbackArgs args)
    {
        if (operation.IsCompleted)
        {
            Finish(operation, args, synchronously: true);
            return false;
        }
        operation.ContinueWith(static (t, state) => Finish(t, (TransportAsyncCallbackArgs)state!, synchronously: false), args, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return true;
    }

    private static void Finish(Task<int> operation, TransportAsyncCallbackArgs args, bool synchronously)
    {
        if (operation.IsCompletedSuccessfully)
        {
            args.BytesTransfered = operation.Result;
            args.Exception = null;
        }
        else
        {
            args.BytesTransfered = 0;
            args.Exception = operation.Exception?.InnerException ?? new OperationCanceledException();
        }
        args.CompletedSynchronously = synchronously;
        if (!synchronously) args.CompletedCallback(args);
    }

    protected override bool CloseInternal()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
        _socket.Dispose();
        return true;
    }

    protected override void AbortInternal() => _socket.Dispose();
}
