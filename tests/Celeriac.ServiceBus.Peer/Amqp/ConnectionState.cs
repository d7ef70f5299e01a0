using System.Collections.Concurrent;
using Celeriac.ServiceBus.Peer.Auth;
using Microsoft.Azure.Amqp;

namespace Celeriac.ServiceBus.Peer.Amqp;

/// <summary>
/// What one client connection has put on <c>$cbs</c> (the audiences it may use, until when) and the links it opened to
/// receive management and CBS answers, by their address (a request's reply-to).
/// </summary>
internal sealed class ConnectionState
{
    private readonly Lock _gate = new();
    private readonly List<(Uri Audience, DateTimeOffset Until)> _grants = [];
    private readonly ConcurrentDictionary<string, SendingAmqpLink> _replyLinks = new(StringComparer.Ordinal);

    public void Grant(Uri audience, DateTimeOffset until)
    {
        lock (_gate)
        {
            _grants.RemoveAll(g => g.Audience == audience);
            _grants.Add((audience, until));
        }
    }

    /// <summary>Whether a token put on <c>$cbs</c> and still valid covers the entity.</summary>
    public bool IsAuthorized(Uri entity, DateTimeOffset now)
    {
        lock (_gate) return _grants.Any(g => g.Until > now && SharedAccessToken.Covers(g.Audience, entity));
    }

    public void AddReplyLink(string address, SendingAmqpLink link)
    {
        _replyLinks[address] = link;
        link.Closed += (_, _) => _replyLinks.TryRemove(new KeyValuePair<string, SendingAmqpLink>(address, link));
    }

    public SendingAmqpLink? ReplyLink(string? address) =>
        address is not null && _replyLinks.TryGetValue(address, out var link) ? link : null;
}
