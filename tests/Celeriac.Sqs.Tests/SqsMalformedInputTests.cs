using System.Text;
using Amazon.SQS;
using Amazon.SQS.Model;
using Celeriac.Sqs.Tests.Infrastructure;

namespace Celeriac.Sqs.Tests;

/// <summary>
/// Bad input written straight into SQS (the emulator) with the SDK, between good tasks, with a real worker process:
/// the shared bodies, and what only SQS messages carry — lying or unknown <c>celeriac-*</c> attributes, and a foreign
/// message at the size limit, whose dead letter cannot carry its whole body beside the reason.
/// </summary>
public sealed class SqsMalformedInputTests(SqsEmulator emulator) : MalformedInputTests, IClassFixture<SqsEmulator>
{
    private SqsScenario? _scenario;

    protected override WorkerProcessScenario NewScenario() => _scenario = new SqsScenario(emulator);

    private IAmazonSQS Sqs => SqsTestBrokers.Client(SqsTestBrokers.Options(emulator, _scenario!.Prefix));

    private async Task SendAsync(string body, Dictionary<string, string>? attributes = null)
    {
        var sqs = Sqs;
        var url = (await sqs.CreateQueueAsync(SqsQueueUrls.Name(_scenario!.Prefix + Queue))).QueueUrl;
        await sqs.SendMessageAsync(new SendMessageRequest(url, body)
        {
            MessageAttributes = attributes?.ToDictionary(a => a.Key, a => new MessageAttributeValue { DataType = "String", StringValue = a.Value }),
        });
    }

    /// <summary>SQS carries text only: a body that is not valid text goes the way Celeriac's own broker sends it, base64 with the attribute.</summary>
    protected override Task WriteBodyAsync(WorkerProcessScenario scenario, byte[] body)
    {
        var (text, base64) = Celeriac.Brokers.Remote.TextBody.Encode(body);
        return base64 ? SendAsync(text, new() { ["celeriac-encoding"] = "base64" }) : SendAsync(text.Length == 0 ? " " : text);
    }

    private static string Good(string id) => """{"v":1,"id":"ID","task":"demo.record","queue":"default","args":{"milliseconds":1}}""".Replace("ID", id, StringComparison.Ordinal);

    protected override IEnumerable<RawEntry> TransportEntries(WorkerProcessScenario scenario) =>
    [
        new("base64 attribute over a body that is not base64", () => SendAsync("this is {not} base64!", new() { ["celeriac-encoding"] = "base64" }))
            { Reason = "marked base64 but is not valid base64" },
        new("base64 of bytes that are not UTF-8", () => SendAsync(Convert.ToBase64String([0xff, 0xfe, 0x00, 0x7b]), new() { ["celeriac-encoding"] = "base64" }))
            { Reason = "unparseable envelope" },
        new("a foreign message at the size limit", () => SendAsync(new string('x', 256 * 1024 - 16)))
            { Reason = "the body was cut to fit the dead-letter queue" },
        new("a good envelope in base64", () => SendAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(Good("sqs-base64"))), new() { ["celeriac-encoding"] = "base64" }))
            { RunsAs = "sqs-base64" },
        new("an unknown encoding", () => SendAsync(Good("sqs-encoding"), new() { ["celeriac-encoding"] = "rot13" })) { RunsAs = "sqs-encoding" },
        new("a delivery count that is not a number", () => SendAsync(Good("sqs-deliveries"), new() { ["celeriac-deliveries"] = "many" })) { RunsAs = "sqs-deliveries" },
        new("a due time that is not a time", () => SendAsync(Good("sqs-due"), new() { ["celeriac-not-before"] = "soon" })) { RunsAs = "sqs-due" },
        new("a due time out of range", () => SendAsync(Good("sqs-due-range"), new() { ["celeriac-not-before"] = "99999999999999999999" })) { RunsAs = "sqs-due-range" },
    ];
}
