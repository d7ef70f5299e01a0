using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Celeriac.ServiceBus.Peer.Auth;
using Celeriac.ServiceBus.Peer.Entities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Celeriac.ServiceBus.Peer.Management;

/// <summary>
/// The subset of the Service Bus management REST API (Atom, api-version 2021-05) that ServiceBusAdministrationClient
/// sends for queues, over the same queue state as the AMQP endpoint:
/// <list type="bullet">
/// <item><c>GET /{queue}</c>: an Atom entry with the QueueDescription, CountDetails (active, dead-letter, scheduled)
/// and MessageCount, SizeInBytes, CreatedAt, UpdatedAt, AccessedAt; a missing queue answers with an empty feed, as the
/// service does (the SDK reads that as not found: QueueExists false, GetQueue throws MessagingEntityNotFound).</item>
/// <item><c>PUT /{queue}</c>: creates from the QueueDescription (LockDuration, MaxDeliveryCount, RequiresDuplicateDetection,
/// DuplicateDetectionHistoryTimeWindow, DefaultMessageTimeToLive, DeadLetteringOnMessageExpiration); 201 with the
/// entry, 409 when it exists; sessions and updates (If-Match) are refused with 400.</item>
/// <item><c>DELETE /{queue}</c>: 200, or 404. <c>GET /$Resources/Queues?$skip&amp;$top</c>: a feed of entries.</item>
/// <item>Authorization: a SAS token for this namespace signed with the peer's key, or an accepted bearer token; 401 otherwise.</item>
/// </list>
/// It runs on Kestrel on a loopback port of its own; the shared port hands it HTTP connections byte for byte.
/// </summary>
internal sealed class AtomManagement : IAsyncDisposable
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    private static readonly XNamespace Connect = "http://schemas.microsoft.com/netservices/2010/10/servicebus/connect";
    private static readonly XNamespace Counts = "http://schemas.microsoft.com/netservices/2011/06/servicebus";
    private static readonly XNamespace Instance = "http://www.w3.org/2001/XMLSchema-instance";

    private readonly WebApplication _app;
    private readonly PeerNamespace _ns;
    private readonly int _port;

    private AtomManagement(WebApplication app, PeerNamespace ns, int port)
    {
        _app = app;
        _ns = ns;
        _port = port;
    }

    public static async Task<AtomManagement> StartAsync(PeerNamespace ns)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        AtomManagement? management = null;
        app.Run(context => management!.HandleAsync(context));
        await app.StartAsync().ConfigureAwait(false);
        management = new AtomManagement(app, ns, new Uri(app.Urls.First()).Port);
        return management;
    }

    /// <summary>Relays one HTTP connection accepted on the shared port to Kestrel, both ways, until either side ends.</summary>
    public async Task RelayAsync(Socket client)
    {
        using (client)
        using (var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true })
        {
            await server.ConnectAsync(IPAddress.Loopback, _port).ConfigureAwait(false);
            await using var clientStream = new NetworkStream(client, ownsSocket: false);
            await using var serverStream = new NetworkStream(server, ownsSocket: false);
            var up = Pump(clientStream, serverStream, server);
            var down = Pump(serverStream, clientStream, client);
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
    }

    private static async Task Pump(NetworkStream from, NetworkStream to, Socket target)
    {
        try
        {
            await from.CopyToAsync(to).ConfigureAwait(false);
            target.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // One side went away; the other pump ends when its read fails or returns nothing.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = Uri.UnescapeDataString(request.Path.Value?.Trim('/') ?? "");
        var operation = (request.Method, path) switch
        {
            ("GET", _) when path.Equals("$Resources/Queues", StringComparison.OrdinalIgnoreCase) => PeerOperations.HttpListQueues,
            ("GET", _) => PeerOperations.HttpGetQueue,
            ("PUT", _) => PeerOperations.HttpCreateQueue,
            ("DELETE", _) => PeerOperations.HttpDeleteQueue,
            _ => "",
        };
        if (operation.Length == 0)
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }
        _ns.Operations.Count(operation);
        if (!Authorized(request.Headers.Authorization.ToString()))
        {
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "InvalidSignature: the token is missing, expired, or not signed with this namespace's key.").ConfigureAwait(false);
            return;
        }
        if (_ns.Faults.DelayOf(operation) is var delay && delay > TimeSpan.Zero) await Task.Delay(delay, _ns.Options.TimeProvider).ConfigureAwait(false);
        if (_ns.Faults.Failure(operation) is { } condition)
        {
            await WriteErrorAsync(context, condition == PeerFaults.Timeout ? StatusCodes.Status408RequestTimeout : StatusCodes.Status503ServiceUnavailable, "Injected by the peer.").ConfigureAwait(false);
            return;
        }
        switch (operation)
        {
            case PeerOperations.HttpListQueues: await ListAsync(context).ConfigureAwait(false); break;
            case PeerOperations.HttpGetQueue: await GetAsync(context, path).ConfigureAwait(false); break;
            case PeerOperations.HttpCreateQueue: await CreateAsync(context, path).ConfigureAwait(false); break;
            default:
                if (_ns.DeleteQueue(path)) context.Response.StatusCode = StatusCodes.Status200OK;
                else await WriteErrorAsync(context, StatusCodes.Status404NotFound, $"The messaging entity '{path}' could not be found.").ConfigureAwait(false);
                break;
        }
    }

    private bool Authorized(string header)
    {
        if (header.StartsWith("Bearer ", StringComparison.Ordinal)) return _ns.AcceptJwt(header["Bearer ".Length..]);
        return SharedAccessToken.Validate(header, _ns.Options.KeyName, _ns.Options.Key, _ns.Now) is { } resource
            && string.Equals(resource.Host, _ns.Host, StringComparison.OrdinalIgnoreCase);
    }

    private async Task ListAsync(HttpContext context)
    {
        var skip = int.TryParse(context.Request.Query["$skip"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        var top = int.TryParse(context.Request.Query["$top"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : 100;
        var feed = new XElement(Atom + "feed", new XElement(Atom + "title", "Queues"), _ns.Queues.Skip(skip).Take(top).Select(Entry));
        await WriteXmlAsync(context, StatusCodes.Status200OK, feed).ConfigureAwait(false);
    }

    private async Task GetAsync(HttpContext context, string name)
    {
        var document = _ns.Queue(name) is { } queue ? Entry(queue) : new XElement(Atom + "feed", new XElement(Atom + "title", "Publicly Listed Services"));
        await WriteXmlAsync(context, StatusCodes.Status200OK, document).ConfigureAwait(false);
    }

    private async Task CreateAsync(HttpContext context, string name)
    {
        if (context.Request.Headers.IfMatch.Count > 0)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "The peer does not implement updating a queue.").ConfigureAwait(false);
            return;
        }
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var xml = await reader.ReadToEndAsync().ConfigureAwait(false);
        PeerQueue? queue;
        try
        {
            var description = XDocument.Parse(xml).Descendants(Connect + "QueueDescription").SingleOrDefault()
                ?? throw new FormatException("The body holds no QueueDescription.");
            string? Value(string local) => description.Element(Connect + local)?.Value;
            if (Value("RequiresSession") is { } session && bool.Parse(session)) throw new FormatException("The peer does not implement sessions.");
            var defaults = _ns.Options.DefaultQueueSettings;
            var settings = new PeerQueueSettings
            {
                LockDuration = Value("LockDuration") is { } l ? XmlConvert.ToTimeSpan(l) : defaults.LockDuration,
                MaxDeliveryCount = Value("MaxDeliveryCount") is { } m ? int.Parse(m, CultureInfo.InvariantCulture) : defaults.MaxDeliveryCount,
                RequiresDuplicateDetection = Value("RequiresDuplicateDetection") is { } d ? bool.Parse(d) : defaults.RequiresDuplicateDetection,
                DuplicateDetectionHistoryTimeWindow = Value("DuplicateDetectionHistoryTimeWindow") is { } w ? XmlConvert.ToTimeSpan(w) : defaults.DuplicateDetectionHistoryTimeWindow,
                DefaultMessageTimeToLive = Value("DefaultMessageTimeToLive") is { } ttl ? XmlConvert.ToTimeSpan(ttl) : defaults.DefaultMessageTimeToLive,
                DeadLetteringOnMessageExpiration = Value("DeadLetteringOnMessageExpiration") is { } e ? bool.Parse(e) : defaults.DeadLetteringOnMessageExpiration,
            };
            queue = _ns.CreateQueue(name, settings);
        }
        catch (Exception ex) when (ex is XmlException or FormatException or InvalidOperationException or ArgumentException or OverflowException)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, ex.Message).ConfigureAwait(false);
            return;
        }
        if (queue is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status409Conflict, $"The messaging entity '{name}' already exists.").ConfigureAwait(false);
            return;
        }
        await WriteXmlAsync(context, StatusCodes.Status201Created, Entry(queue)).ConfigureAwait(false);
    }

    private XElement Entry(PeerQueue queue)
    {
        var counts = queue.Counts(_ns.Now);
        var settings = queue.Settings;
        return new XElement(Atom + "entry",
            new XElement(Atom + "id", $"https://{_ns.Host}/{queue.Name}"),
            new XElement(Atom + "title", new XAttribute("type", "text"), queue.Name),
            new XElement(Atom + "updated", XmlConvert.ToString(queue.UpdatedAt)),
            new XElement(Atom + "content", new XAttribute("type", "application/xml"),
                new XElement(Connect + "QueueDescription",
                    new XAttribute(XNamespace.Xmlns + "i", Instance.NamespaceName),
                    new XElement(Connect + "LockDuration", XmlConvert.ToString(settings.LockDuration)),
                    new XElement(Connect + "MaxSizeInMegabytes", 1024),
                    new XElement(Connect + "RequiresDuplicateDetection", XmlConvert.ToString(settings.RequiresDuplicateDetection)),
                    new XElement(Connect + "RequiresSession", "false"),
                    new XElement(Connect + "DefaultMessageTimeToLive", XmlConvert.ToString(settings.DefaultMessageTimeToLive)),
                    new XElement(Connect + "DeadLetteringOnMessageExpiration", XmlConvert.ToString(settings.DeadLetteringOnMessageExpiration)),
                    new XElement(Connect + "DuplicateDetectionHistoryTimeWindow", XmlConvert.ToString(settings.DuplicateDetectionHistoryTimeWindow)),
                    new XElement(Connect + "MaxDeliveryCount", settings.MaxDeliveryCount),
                    new XElement(Connect + "EnableBatchedOperations", "true"),
                    new XElement(Connect + "SizeInBytes", queue.SizeInBytes()),
                    new XElement(Connect + "MessageCount", counts.Total),
                    new XElement(Connect + "IsAnonymousAccessible", "false"),
                    new XElement(Connect + "Status", "Active"),
                    new XElement(Connect + "CreatedAt", XmlConvert.ToString(queue.CreatedAt)),
                    new XElement(Connect + "UpdatedAt", XmlConvert.ToString(queue.UpdatedAt)),
                    new XElement(Connect + "AccessedAt", XmlConvert.ToString(queue.AccessedAt)),
                    new XElement(Connect + "SupportOrdering", "true"),
                    new XElement(Connect + "CountDetails",
                        new XAttribute(XNamespace.Xmlns + "d2p1", Counts.NamespaceName),
                        new XElement(Counts + "ActiveMessageCount", counts.Active),
                        new XElement(Counts + "DeadLetterMessageCount", counts.DeadLetter),
                        new XElement(Counts + "ScheduledMessageCount", counts.Scheduled),
                        new XElement(Counts + "TransferMessageCount", 0),
                        new XElement(Counts + "TransferDeadLetterMessageCount", 0)),
                    new XElement(Connect + "AutoDeleteOnIdle", XmlConvert.ToString(TimeSpan.MaxValue)),
                    new XElement(Connect + "EnablePartitioning", "false"),
                    new XElement(Connect + "EnableExpress", "false"))));
    }

    private static async Task WriteXmlAsync(HttpContext context, int status, XElement document)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/atom+xml;type=entry;charset=utf-8";
        await context.Response.WriteAsync(document.ToString(SaveOptions.DisableFormatting)).ConfigureAwait(false);
    }

    /// <summary>Errors as the service writes them: an Error element with Code and Detail.</summary>
    private static async Task WriteErrorAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml; charset=utf-8";
        var error = new XElement("Error", new XElement("Code", status), new XElement("Detail", detail));
        await context.Response.WriteAsync(error.ToString(SaveOptions.DisableFormatting)).ConfigureAwait(false);
    }
}
