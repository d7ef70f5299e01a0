using System.Collections.Concurrent;
using Celeriac.ServiceBus.Peer.Entities;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;
using Microsoft.Azure.Amqp.Sasl;
using Microsoft.Azure.Amqp.Transport;

namespace Celeriac.ServiceBus.Peer.Amqp;

/// <summary>
/// The AMQP 1.0 endpoint: Microsoft.Azure.Amqp's transport listener with SASL (the SDK's <c>MSSBCBS</c> mechanism and
/// plain <c>ANONYMOUS</c>, both anonymous: authorization is per entity through <c>$cbs</c>), and this class as the
/// runtime provider that creates connections, sessions and links and routes each attach by address: <c>$cbs</c>,
/// <c>&lt;queue&gt;[/$DeadLetterQueue]/$management</c>, or a queue (a leading slash allowed, any case). Attaching to a
/// missing entity fails with <c>amqp:not-found</c>, to one no token on <c>$cbs</c> covers with
/// <c>amqp:unauthorized-access</c>, sending to a dead-letter subqueue with <c>amqp:not-allowed</c>.
/// </summary>
internal sealed class AmqpFrontEnd : IRuntimeProvider
{
    private readonly PeerNamespace _ns;
    private readonly AmqpSettings _settings;
    private readonly ConcurrentDictionary<AmqpConnection, ConnectionState> _connections = new();
    private readonly CbsNode _cbs;
    private AmqpTransportListener? _listener;

    public AmqpFrontEnd(PeerNamespace ns)
    {
        _ns = ns;
        _cbs = new CbsNode(ns);
        var sasl = new SaslTransportProvider();
        sasl.Versions.Add(new AmqpVersion(1, 0, 0));
        sasl.AddHandler(new SaslAnonymousHandler("MSSBCBS"));
        sasl.AddHandler(new SaslAnonymousHandler());
        var amqp = new AmqpTransportProvider();
        amqp.Versions.Add(new AmqpVersion(1, 0, 0));
        _settings = new AmqpSettings { RuntimeProvider = this };
        _settings.TransportProviders.Add(sasl);
        _settings.TransportProviders.Add(amqp);
    }

    public void Listen(TransportListener transport)
    {
        _listener = new AmqpTransportListener([transport], _settings);
        _listener.Listen(OnAccept);
    }

    public void Close()
    {
        _listener?.Close();
        DropConnections();
    }

    /// <summary>Aborts every client connection at the transport, as a network fault would; clients reconnect.</summary>
    public void DropConnections()
    {
        foreach (var connection in _connections.Keys) connection.Abort();
    }

    private void OnAccept(TransportListener listener, TransportAsyncCallbackArgs args)
    {
        AmqpConnection? connection = null;
        try
        {
            connection = CreateConnection(args.Transport, (ProtocolHeader)args.UserToken, false, _settings,
                new AmqpConnectionSettings { ContainerId = "celeriac-servicebus-peer", MaxFrameSize = 65536, IdleTimeOut = 120_000 });
            var opened = connection;
            _connections[opened] = new ConnectionState();
            opened.Closed += (_, _) => _connections.TryRemove(opened, out _);
            _ns.Operations.Count(PeerOperations.Connection);
            opened.BeginOpen(TimeSpan.FromSeconds(30), result =>
            {
                // A client that fails its open (garbage, a timeout, a reset) loses its connection, never the peer's process.
                try { opened.EndOpen(result); }
                catch (Exception ex) { opened.SafeClose(ex); }
            }, null);
        }
        catch (Exception ex) when (ex is AmqpException or InvalidOperationException or IOException or ObjectDisposedException)
        {
            if (connection is not null) connection.SafeClose(ex);
            else args.Transport.Abort();
        }
    }

    public AmqpConnection CreateConnection(TransportBase transport, ProtocolHeader protocolHeader, bool isInitiator, AmqpSettings amqpSettings, AmqpConnectionSettings connectionSettings) =>
        new(transport, protocolHeader, isInitiator, amqpSettings, connectionSettings);

    public AmqpSession CreateSession(AmqpConnection connection, AmqpSessionSettings settings) => new(connection, settings, this);

    public AmqpLink CreateLink(AmqpSession session, AmqpLinkSettings settings)
    {
        if (settings.Role == true)
        {
            if (!IsNodeAddress(Address(settings, isReceiver: true))) settings.MaxMessageSize = (ulong)_ns.Options.MaxMessageSizeBytes;
            return new ReceivingAmqpLink(session, settings);
        }
        return new SendingAmqpLink(session, settings);
    }

    public IAsyncResult BeginOpenLink(AmqpLink link, TimeSpan timeout, AsyncCallback callback, object state)
    {
        Route(link);
        var result = new CompletedResult(state);
        callback(result);
        return result;
    }

    public void EndOpenLink(IAsyncResult result)
    {
    }

    private static string? Address(AmqpLinkSettings settings, bool isReceiver) =>
        isReceiver ? (settings.Target as Target)?.Address?.ToString() : (settings.Source as Source)?.Address?.ToString();

    private static bool IsNodeAddress(string? address) =>
        address is not null && (address == CbsNode.Address || address.EndsWith(ManagementNode.Suffix, StringComparison.OrdinalIgnoreCase));

    private void Route(AmqpLink link)
    {
        if (!_connections.TryGetValue(link.Session.Connection, out var connection)) throw new AmqpException(AmqpErrorCode.IllegalState, "The connection is closing.");
        var address = Address(link.Settings, link.IsReceiver) ?? throw new AmqpException(AmqpErrorCode.InvalidField, "The link has no address.");
        if (address == CbsNode.Address)
        {
            _cbs.Attach(link, connection);
            return;
        }
        var now = _ns.Now;
        if (address.EndsWith(ManagementNode.Suffix, StringComparison.OrdinalIgnoreCase))
        {
            var entityPath = address[..^ManagementNode.Suffix.Length].Trim('/');
            var entity = _ns.Entity(entityPath) ?? throw NotFound(entityPath);
            Authorize(connection, entityPath + ManagementNode.Suffix, now);
            if (link.IsReceiver) _ns.Operations.Count(PeerOperations.AttachManagement);
            new ManagementNode(_ns, entity).Attach(link, connection);
            return;
        }
        var path = address.Trim('/');
        var queue = _ns.Entity(path) ?? throw NotFound(path);
        Authorize(connection, path, now);
        if (link is ReceivingAmqpLink inbound)
        {
            if (queue.IsDeadLetterQueue) throw new AmqpException(AmqpErrorCode.NotAllowed, $"Messages cannot be sent to the dead-letter queue '{path}'.");
            _ns.Operations.Count(PeerOperations.AttachSender);
            _ = new InboundLink(inbound, queue, _ns);
        }
        else
        {
            _ns.Operations.Count(PeerOperations.AttachReceiver);
            _ = new OutboundLink((SendingAmqpLink)link, queue, _ns);
        }
    }

    private void Authorize(ConnectionState connection, string path, DateTimeOffset now)
    {
        if (!connection.IsAuthorized(new Uri($"sb://{_ns.Host}/{path}"), now))
            throw new AmqpException(AmqpErrorCode.UnauthorizedAccess, $"Unauthorized access to '{path}': put a token for it on $cbs first.");
    }

    private static AmqpException NotFound(string path) =>
        new(AmqpErrorCode.NotFound, $"The messaging entity '{path}' could not be found.");
}
