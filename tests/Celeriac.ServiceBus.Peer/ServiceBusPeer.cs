using System.Globalization;
using Celeriac.ServiceBus.Peer.Amqp;
using Celeriac.ServiceBus.Peer.Entities;
using Celeriac.ServiceBus.Peer.Management;

namespace Celeriac.ServiceBus.Peer;

/// <summary>
/// An in-process Azure Service Bus namespace for tests and the bench, on one loopback port: the AMQP 1.0 endpoint that
/// the unmodified Azure.Messaging.ServiceBus SDK talks to, and the Atom management subset of its
/// ServiceBusAdministrationClient. Give clients <see cref="ConnectionString"/>: its <c>UseDevelopmentEmulator=true</c>
/// makes the SDK use plain AMQP and plain HTTP to the endpoint's host and port, both of which this port answers.
/// </summary>
public sealed class ServiceBusPeer : IAsyncDisposable
{
    private const string Host = "127.0.0.1";
    private readonly PeerNamespace _ns;
    private readonly AmqpFrontEnd _amqp;
    private readonly AtomManagement _management;
    private readonly PeerTransportListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _clock;

    private ServiceBusPeer(PeerNamespace ns, AmqpFrontEnd amqp, AtomManagement management, PeerTransportListener listener)
    {
        _ns = ns;
        _amqp = amqp;
        _management = management;
        _listener = listener;
        _clock = Task.Run(RunClockAsync);
    }

    public static async Task<ServiceBusPeer> StartAsync(ServiceBusPeerOptions? options = null)
    {
        options ??= new ServiceBusPeerOptions();
        options.DefaultQueueSettings.Validate();
        var ns = new PeerNamespace(options, Host);
        var management = await AtomManagement.StartAsync(ns).ConfigureAwait(false);
        var amqp = new AmqpFrontEnd(ns);
        var listener = new PeerTransportListener(management.RelayAsync);
        amqp.Listen(listener);
        return new ServiceBusPeer(ns, amqp, management, listener);
    }

    public int Port => _listener.Port;

    /// <summary>The namespace host clients see (the SDK's FullyQualifiedNamespace).</summary>
    public string FullyQualifiedNamespace => Host;

    public string KeyName => _ns.Options.KeyName;

    public string Key => _ns.Options.Key;

    /// <summary>For ServiceBusClient and ServiceBusAdministrationClient alike.</summary>
    public string ConnectionString =>
        $"Endpoint=sb://{Host}:{Port.ToString(CultureInfo.InvariantCulture)};SharedAccessKeyName={KeyName};SharedAccessKey={Key};UseDevelopmentEmulator=true";

    /// <summary>What the peer was asked to do, by kind; reset between bench phases.</summary>
    public PeerOperations Operations => _ns.Operations;

    public PeerFaults Faults => _ns.Faults;

    /// <summary>Accepts or refuses a JSON web token (CBS token type <c>jwt</c>, HTTP <c>Bearer</c>); refuses all by default.</summary>
    public Func<string, bool> AcceptJwt
    {
        get => _ns.AcceptJwt;
        set => _ns.AcceptJwt = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Creates a queue (with the options' default settings when none are given); false when it exists.</summary>
    public bool CreateQueue(string name, PeerQueueSettings? settings = null) =>
        _ns.CreateQueue(name, settings ?? _ns.Options.DefaultQueueSettings) is not null;

    public bool QueueExists(string name) => _ns.Queue(name) is not null;

    public bool DeleteQueue(string name) => _ns.DeleteQueue(name);

    public IReadOnlyList<string> QueueNames => [.. _ns.Queues.Select(q => q.Name)];

    public PeerQueueSettings Settings(string queue) => Require(queue).Settings;

    public PeerQueueCounts Counts(string queue) => Require(queue).Counts(_ns.Now);

    /// <summary>Every message of the queue (or of <c>queue/$DeadLetterQueue</c>), in sequence-number order.</summary>
    public IReadOnlyList<PeerMessageSnapshot> Messages(string entityPath) =>
        (_ns.Entity(entityPath) ?? throw new ArgumentException($"no queue '{entityPath}'", nameof(entityPath))).Snapshot(_ns.Now, MessageCodec.Snapshot);

    /// <summary>The queue's <c>$DeadLetterQueue</c>.</summary>
    public IReadOnlyList<PeerMessageSnapshot> DeadLetters(string queue) => Messages(queue + PeerQueue.DeadLetterSuffix);

    /// <summary>
    /// Holds back deliveries on the queue (or <c>queue/$DeadLetterQueue</c>) until the returned handle is disposed:
    /// receivers keep their credit and get nothing, as when the service is slow to answer a receive.
    /// </summary>
    public IDisposable HoldDeliveries(string entityPath) =>
        (_ns.Entity(entityPath) ?? throw new ArgumentException($"no queue '{entityPath}'", nameof(entityPath))).HoldDeliveries(_ns.Options.TimeProvider);

    /// <summary>Aborts every client connection, as a network fault would; the SDK reconnects on its next operation.</summary>
    public void DropConnections() => _amqp.DropConnections();

    private PeerQueue Require(string queue) => _ns.Queue(queue) ?? throw new ArgumentException($"no queue '{queue}'", nameof(queue));

    /// <summary>Applies what time does (expired locks, scheduled messages due, expired messages) and delivers what became available.</summary>
    private async Task RunClockAsync()
    {
        var time = _ns.Options.TimeProvider;
        while (!_stop.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            foreach (var queue in _ns.Queues)
            {
                if (queue.NextEvent() is { } due && due <= now)
                {
                    queue.Pump(now);
                    queue.DeadLetters?.Pump(now);
                }
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), time, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _clock.ConfigureAwait(false);
        _amqp.Close();
        await _management.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
