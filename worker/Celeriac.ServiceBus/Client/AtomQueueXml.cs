using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Celeriac.ServiceBus.Client;

/// <summary>The Atom documents of the management operations on queues: a QueueDescription entry, a feed of them.</summary>
public static class AtomQueueXml
{
    public static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    public static readonly XNamespace Connect = "http://schemas.microsoft.com/netservices/2010/10/servicebus/connect";
    public static readonly XNamespace Counts = "http://schemas.microsoft.com/netservices/2011/06/servicebus";

    /// <summary>A create request's entry. Elements keep the order of the service's data contract, which it requires.</summary>
    public static string CreateEntry(ServiceBusQueueSettings settings) =>
        new XElement(Atom + "entry",
            new XElement(Atom + "content", new XAttribute("type", "application/xml"),
                new XElement(Connect + "QueueDescription",
                    new XElement(Connect + "LockDuration", XmlConvert.ToString(settings.LockDuration)),
                    new XElement(Connect + "RequiresDuplicateDetection", settings.RequiresDuplicateDetection ? "true" : "false"),
                    new XElement(Connect + "DuplicateDetectionHistoryTimeWindow", XmlConvert.ToString(settings.DuplicateDetectionHistoryTimeWindow)),
                    new XElement(Connect + "MaxDeliveryCount", settings.MaxDeliveryCount.ToString(CultureInfo.InvariantCulture))))).ToString(SaveOptions.DisableFormatting);

    /// <summary>The queue described by an entry; null for a document without one (the service answers a missing entity with an empty feed).</summary>
    public static ServiceBusQueueInfo? ParseEntry(string xml)
    {
        var root = XDocument.Parse(xml).Root;
        var entry = root?.Name == Atom + "entry" ? root : root?.Element(Atom + "entry");
        return entry is null ? null : ParseQueue(entry);
    }

    public static IReadOnlyList<string> ParseFeedTitles(string xml) =>
        [.. (XDocument.Parse(xml).Root?.Elements(Atom + "entry") ?? []).Select(e => (string?)e.Element(Atom + "title") ?? "").Where(t => t.Length > 0)];

    private static ServiceBusQueueInfo? ParseQueue(XElement entry)
    {
        var description = entry.Descendants().FirstOrDefault(e => e.Name.LocalName == "QueueDescription");
        if (description is null) return null;
        var counts = description.Elements().FirstOrDefault(e => e.Name.LocalName == "CountDetails");
        return new ServiceBusQueueInfo((string?)entry.Element(Atom + "title") ?? "")
        {
            LockDuration = Text(description, "LockDuration") is { } lockDuration ? XmlConvert.ToTimeSpan(lockDuration) : TimeSpan.FromMinutes(1),
            MaxDeliveryCount = (int)(Number(description, "MaxDeliveryCount") ?? 10),
            MessageCount = Number(description, "MessageCount") ?? 0,
            ActiveMessageCount = Number(counts, "ActiveMessageCount") ?? 0,
            ScheduledMessageCount = Number(counts, "ScheduledMessageCount") ?? 0,
            DeadLetterMessageCount = Number(counts, "DeadLetterMessageCount") ?? 0,
        };
    }

    private static string? Text(XElement? parent, string localName) =>
        parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName)?.Value;

    private static long? Number(XElement? parent, string localName) =>
        Text(parent, localName) is { } text && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
}
