using System.Text;
using Azure.Core.Amqp;
using Azure.Messaging.ServiceBus;
using Celeriac.ServiceBus.Tests.Infrastructure;

namespace Celeriac.ServiceBus.Tests;

/// <summary>
/// Bad input written straight into Service Bus (the peer) with the SDK, between good tasks, with a real worker process:
/// the shared bodies (as data sections), and what only Service Bus messages carry — bodies that are AMQP values or
/// sequences instead of data sections, a body split over several data sections, application properties that lie or are
/// unknown (of other types than strings, too), system properties a foreign producer sets, and messages at the size
/// limit. Each bad one is dead-lettered natively, on its own, with a reason.
/// </summary>
public sealed class ServiceBusMalformedInputTests(ServiceBusPeerFixture fixture) : MalformedInputTests, IClassFixture<ServiceBusPeerFixture>
{
    private ServiceBusScenario? _scenario;

    protected override WorkerProcessScenario NewScenario() => _scenario = new ServiceBusScenario(fixture.Peer, fixture.NewPrefix());

    private async Task SendAsync(ServiceBusMessage message)
    {
        await using var sender = fixture.Client.CreateSender(_scenario!.Prefix + Queue);
        await sender.SendMessageAsync(message);
    }

    private static ServiceBusMessage Amqp(AmqpMessageBody body) => new(new AmqpAnnotatedMessage(body));

    private static string Good(string id, string args = """{"milliseconds":1}""") =>
        """{"v":1,"id":"ID","task":"demo.record","queue":"default","args":ARGS}""".Replace("ID", id, StringComparison.Ordinal).Replace("ARGS", args, StringComparison.Ordinal);

    private static ServiceBusMessage WithProperties(string body, Dictionary<string, object> properties)
    {
        var message = new ServiceBusMessage(Encoding.UTF8.GetBytes(body));
        foreach (var (name, value) in properties) message.ApplicationProperties[name] = value;
        return message;
    }

    /// <summary>A body of <paramref name="size"/> bytes: a good envelope whose args are padded, or just bytes.</summary>
    private static byte[] Sized(int size, string? id)
    {
        if (id is null) return Encoding.UTF8.GetBytes(new string('x', size));
        var empty = Good(id, """{"milliseconds":1,"pad":""}""");
        return Encoding.UTF8.GetBytes(Good(id, $$"""{"milliseconds":1,"pad":"{{new string('p', size - Encoding.UTF8.GetByteCount(empty))}}"}"""));
    }

    protected override IEnumerable<RawEntry> TransportEntries(WorkerProcessScenario scenario) =>
    [
        new("an AMQP sequence body", () => SendAsync(Amqp(AmqpMessageBody.FromSequence([new List<object> { 1, "two" }]))))
            { Reason = "the message body is an AMQP sequence" },
        new("an AMQP value body that is a number", () => SendAsync(Amqp(AmqpMessageBody.FromValue(42))))
            { Reason = "the message body is an AMQP value of type Int32" },
        new("an AMQP value body that is a map", () => SendAsync(Amqp(AmqpMessageBody.FromValue(new Dictionary<string, object> { ["id"] = "map" }))))
            { Reason = "the message body is an AMQP value of type" },
        new("an AMQP string value that is not an envelope", () => SendAsync(Amqp(AmqpMessageBody.FromValue("hello"))))
            { Reason = "unparseable envelope" },
        new("a foreign message at the size limit", () => SendAsync(new ServiceBusMessage(Sized(256 * 1024 - 1024, null))))
            { Reason = "unparseable envelope" },
        new("a good envelope as an AMQP string value", () => SendAsync(Amqp(AmqpMessageBody.FromValue(Good("sb-string-value"))))) { RunsAs = "sb-string-value" },
        new("a good envelope as an AMQP binary value", () => SendAsync(Amqp(AmqpMessageBody.FromValue(Encoding.UTF8.GetBytes(Good("sb-binary-value")))))) { RunsAs = "sb-binary-value" },
        new("a good envelope split over three data sections", () =>
        {
            var bytes = Encoding.UTF8.GetBytes(Good("sb-sections"));
            return SendAsync(Amqp(new AmqpMessageBody([bytes.AsMemory(0, 10), bytes.AsMemory(10, 7), bytes.AsMemory(17)])));
        }) { RunsAs = "sb-sections" },
        new("a good envelope at the size limit", () => SendAsync(new ServiceBusMessage(Sized(256 * 1024 - 1024, "sb-at-limit")))) { RunsAs = "sb-at-limit" },
        new("a delivery count that is not a number", () => SendAsync(WithProperties(Good("sb-deliveries"), new() { ["celeriac-deliveries"] = "many" }))) { RunsAs = "sb-deliveries" },
        new("a delivery count of another type, and huge", () => SendAsync(WithProperties(Good("sb-deliveries-long"), new() { ["celeriac-deliveries"] = long.MaxValue }))) { RunsAs = "sb-deliveries-long" },
        new("a negative delivery count", () => SendAsync(WithProperties(Good("sb-deliveries-negative"), new() { ["celeriac-deliveries"] = -5 }))) { RunsAs = "sb-deliveries-negative" },
        new("dead-letter properties on a live message", () => SendAsync(WithProperties(Good("sb-dead-letter-props"), new()
        {
            ["DeadLetterReason"] = "forged", ["celeriac-dead-lettered-at"] = "yesterday", ["celeriac-encoding"] = "base64",
        }))) { RunsAs = "sb-dead-letter-props" },
        new("properties of every type", () => SendAsync(WithProperties(Good("sb-typed-props"), new()
        {
            ["a-guid"] = Guid.NewGuid(), ["a-time"] = DateTimeOffset.UtcNow, ["a-double"] = 1.5, ["a-bool"] = true, ["a-span"] = TimeSpan.FromSeconds(3),
        }))) { RunsAs = "sb-typed-props" },
        new("foreign system properties", () => SendAsync(new ServiceBusMessage(Encoding.UTF8.GetBytes(Good("sb-system-props")))
        {
            ContentType = "application/xml", Subject = "not a task", CorrelationId = "c-1", ReplyTo = "elsewhere", To = "nobody",
            MessageId = new string('m', 128),
        })) { RunsAs = "sb-system-props" },
        new("no message id", () =>
        {
            var message = Amqp(new AmqpMessageBody([Encoding.UTF8.GetBytes(Good("sb-no-message-id"))]));
            return SendAsync(message);
        }) { RunsAs = "sb-no-message-id" },
    ];
}
