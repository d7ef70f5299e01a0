using System.Collections.Concurrent;

namespace Celeriac.ServiceBus.Peer;

/// <summary>
/// What the peer counts, one name per kind of operation a client asked for; a bench divides these by tasks run.
/// Management operations are counted under their AMQP operation name (e.g. <c>com.microsoft:renew-lock</c>).
/// </summary>
public sealed class PeerOperations
{
    public const string Connection = "connection";
    public const string PutToken = "put-token";
    public const string AttachSender = "attach-sender";
    public const string AttachReceiver = "attach-receiver";
    public const string AttachManagement = "attach-management";
    /// <summary>One transfer from a sender: a single message or a batch.</summary>
    public const string Send = "send";
    /// <summary>Messages those transfers carried.</summary>
    public const string MessageSent = "message-sent";
    /// <summary>Messages handed to receivers over a receive link.</summary>
    public const string Delivery = "delivery";
    /// <summary>Flow frames granting link credit on a receive link.</summary>
    public const string Credit = "credit";
    public const string Complete = "complete";
    public const string Abandon = "abandon";
    public const string DeadLetter = "dead-letter";
    public const string Defer = "defer";
    public const string Release = "release";
    public const string HttpCreateQueue = "http-create-queue";
    public const string HttpGetQueue = "http-get-queue";
    public const string HttpDeleteQueue = "http-delete-queue";
    public const string HttpListQueues = "http-list-queues";

    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public long this[string operation] => _counts.TryGetValue(operation, out var n) ? n : 0;

    public IReadOnlyDictionary<string, long> Snapshot() => _counts.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>Every operation a client asked for, connections and credit included.</summary>
    public long Total => _counts.Values.Sum();

    public void Reset() => _counts.Clear();

    internal void Count(string operation, long n = 1) => _counts.AddOrUpdate(operation, n, (_, old) => old + n);
}
