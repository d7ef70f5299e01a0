using System.Net;
using System.Net.Sockets;
using Microsoft.Azure.Amqp.Transport;

namespace Celeriac.ServiceBus.Peer.Amqp;

/// <summary>
/// One loopback port for both front ends, because the SDK's development-emulator mode sends AMQP and the
/// administration client's HTTP to the same host and port (the connection string's endpoint). A connection whose first
/// byte is 'A' ("AMQP" protocol header) becomes an AMQP transport; any other is handed to the HTTP front end.
/// </summary>
internal sealed class PeerTransportListener : TransportListener
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Func<Socket, Task> _http;
    private readonly CancellationTokenSource _stop = new();

    public PeerTransportListener(Func<Socket, Task> http)
        : base("peer-listener")
    {
        _http = http;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.Listen(512);
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    public int Port { get; }

    protected override void OnListen() => _ = AcceptLoopAsync();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = DispatchAsync(accepted);
        }
    }

    private async Task DispatchAsync(Socket socket)
    {
        try
        {
            socket.NoDelay = true;
            var first = new byte[1];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            var read = await socket.ReceiveAsync(first, SocketFlags.Peek, timeout.Token).ConfigureAwait(false);
            if (read == 0)
            {
                socket.Dispose();
                return;
            }
            if (first[0] == (byte)'A')
            {
                var transport = new SocketTransport(socket);
                OnTransportAccepted(new TransportAsyncCallbackArgs { Transport = transport, CompletedSynchronously = false });
            }
            else
            {
                await _http(socket).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            socket.Dispose();
        }
    }

    protected override bool CloseInternal()
    {
        Stop();
        return true;
    }

    protected override void AbortInternal() => Stop();

    private void Stop()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _socket.Dispose();
    }
}
