using System.Collections.Concurrent;

namespace Celeriac.ServiceBus.Peer.Entities;

/// <summary>The peer's queues, options, counters and faults: what the AMQP and HTTP front ends share.</summary>
internal sealed class PeerNamespace(ServiceBusPeerOptions options, string host)
{
    private readonly ConcurrentDictionary<string, PeerQueue> _queues = new(StringComparer.OrdinalIgnoreCase);

    public ServiceBusPeerOptions Options { get; } = options;
    /// <summary>The host name clients put in audiences (the connection string's endpoint host).</summary>
    public string Host { get; } = host;
    public PeerOperations Operations { get; } = new();
    public PeerFaults Faults { get; } = new();
    /// <summary>Accepts or refuses a JSON web token (CBS token type <c>jwt</c>, HTTP <c>Bearer</c>); none by default.</summary>
    public Func<string, bool> AcceptJwt { get; set; } = _ => false;

    public DateTimeOffset Now => Options.TimeProvider.GetUtcNow();

    public PeerQueue? CreateQueue(string name, PeerQueueSettings settings)
    {
        ValidateName(name);
        var queue = new PeerQueue(name, settings, Now);
        return _queues.TryAdd(name, queue) ? queue : null;
    }

    public bool DeleteQueue(string name) => _queues.TryRemove(name, out _);

    public PeerQueue? Queue(string name) => _queues.TryGetValue(name, out var queue) ? queue : null;

    public IReadOnlyList<PeerQueue> Queues => [.. _queues.Values.OrderBy(q => q.Name, StringComparer.OrdinalIgnoreCase)];

    /// <summary>A queue or its dead-letter subqueue by path (<c>q</c>, <c>q/$DeadLetterQueue</c>), any case, a leading slash allowed.</summary>
    public PeerQueue? Entity(string path)
    {
        path = path.Trim('/');
        if (path.EndsWith(PeerQueue.DeadLetterSuffix, StringComparison.OrdinalIgnoreCase))
            return Queue(path[..^PeerQueue.DeadLetterSuffix.Length])?.DeadLetters;
        return Queue(path);
    }

    /// <summary>Service Bus queue names: 1–260 characters, letters, digits, periods, hyphens, underscores and slashes, not starting or ending with a slash.</summary>
    public static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > 260 || name.StartsWith('/') || name.EndsWith('/') || name.Contains('$', StringComparison.Ordinal)
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/'))
            throw new ArgumentException($"'{name}' is not a valid queue name", nameof(name));
    }
}
