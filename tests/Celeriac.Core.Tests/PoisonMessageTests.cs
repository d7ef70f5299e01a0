using System.Text;
using Celeriac.Brokers;
using Celeriac.Tests.Infrastructure;

namespace Celeriac.Tests;

/// <summary>Messages that can never run are dead-lettered with a reason, and the worker carries on.</summary>
public sealed class PoisonMessageTests
{
    private static OutgoingMessage Raw(string body) => new("default", Encoding.UTF8.GetBytes(body));

    private static string Envelope(string task, string? argsJson) =>
        $$"""{"v":1,"id":"{{Guid.NewGuid()}}","task":"{{task}}","queue":"default"{{(argsJson is null ? "" : ",\"args\":" + argsJson)}},"created":"2030-01-01T00:00:00+00:00"}""";

    private static async Task<TestApp> StartAsync() =>
        await TestApp.CreateWorker(o => o.Concurrency = 1, c => c.AddTask<StrictTask>().AddTask<EmailTask>()).StartAsync();

    private static async Task<string> ReasonForAsync(string body)
    {
        await using var app = await StartAsync();
        await app.Broker.SendAsync([Raw(body), Raw(Envelope("test.strict", """{"name":"good","count":1}"""))], CancellationToken.None);

        await Eventually.Until(() => app.Probe.Finished.Any(r => r.Label == "good"), "the good message after the poison one ran");
        await Eventually.Until(async () => (await app.DepthAsync()).Total == 0, "every message is settled");
        var letter = Assert.Single(await app.DeadLettersAsync());
        Assert.Equal(body, Encoding.UTF8.GetString(letter.Body.Span));
        Assert.Equal(letter.Reason, Assert.Single(app.Observer.Rejected).Reason);
        Assert.Equal(["good"], app.Probe.Started.Select(r => r.Label));
        return letter.Reason;
    }

    [Fact]
    public async Task Bad_json() =>
        Assert.StartsWith("unparseable envelope", await ReasonForAsync("{this is not json"));

    [Fact]
    public async Task Envelope_without_a_task_name() =>
        Assert.Contains("task", await ReasonForAsync("""{"v":1,"id":"x","queue":"default"}"""));

    [Fact]
    public async Task Unknown_task() =>
        Assert.Equal("unknown task 'billing.nope'", await ReasonForAsync(Envelope("billing.nope", "{}")));

    [Fact]
    public async Task Missing_required_constructor_parameter()
    {
        var reason = await ReasonForAsync(Envelope("test.strict", """{"name":"x"}"""));
        Assert.StartsWith("args do not bind to StrictArgs", reason);
        Assert.Contains("count", reason);
    }

    [Fact]
    public async Task Wrong_type() =>
        Assert.StartsWith("args do not bind to StrictArgs", await ReasonForAsync(Envelope("test.strict", """{"name":"x","count":"many"}""")));

    [Fact]
    public async Task Null_for_a_non_nullable_property() =>
        Assert.StartsWith("args do not bind to StrictArgs", await ReasonForAsync(Envelope("test.strict", """{"name":null,"count":1}""")));

    [Fact]
    public async Task Args_missing() =>
        Assert.Contains("args are missing", await ReasonForAsync(Envelope("test.strict", null)));

    [Fact]
    public async Task Args_json_null() =>
        Assert.StartsWith("args do not bind to StrictArgs", await ReasonForAsync(Envelope("test.strict", "null")));

    [Fact]
    public async Task Args_rejected_by_the_argument_constructor()
    {
        var reason = await ReasonForAsync(Envelope("test.email", """{"address":"not-an-address"}"""));
        Assert.StartsWith("args do not bind to EmailArgs", reason);
        Assert.Contains("not an e-mail address", reason);
    }

    [Fact]
    public async Task Several_poison_messages_among_good_ones()
    {
        await using var app = await StartAsync();
        await app.Broker.SendAsync(
        [
            Raw("garbage"),
            Raw(Envelope("test.strict", """{"name":"a","count":1}""")),
            Raw(Envelope("nope", "{}")),
            Raw(Envelope("test.strict", """{"name":"b","count":2}""")),
            Raw("null"),
            Raw(Envelope("test.strict", """{"name":"c","count":3}""")),
        ], CancellationToken.None);

        await Eventually.Until(() => app.Probe.Finished.Count == 3, "the three good messages ran");
        await Eventually.Until(async () => (await app.DeadLettersAsync()).Count == 3, "the three poison messages are dead-lettered");
        Assert.Equal(["a", "b", "c"], app.Probe.Started.Select(r => r.Label));
        Assert.Equal([null, null, null], app.Observer.Rejected.Select(r => r.TaskName));
    }
}
