using System.Text;
using System.Text.Json.Nodes;
using Celeriac.Brokers;
using Celeriac.Examples.Tasks;
using Xunit;

namespace Celeriac.Testing;

/// <summary>
/// One raw entry a hostile or broken producer writes straight into a broker, bypassing Celeriac's client.
/// <see cref="Reason"/> is what its dead letter's reason must say; an entry with <see cref="RunsAs"/> instead carries a
/// good envelope under transport attributes that lie or are unknown, and must run once like any good task.
/// </summary>
public sealed record RawEntry(string Name, Func<Task> WriteAsync)
{
    public string? Reason { get; init; }
    public string? RunsAs { get; init; }
}

/// <summary>
/// Whatever bytes, fields or attributes a raw entry has, the receive path converts each message on its own: a message
/// that cannot be run is dead-lettered on its own with a reason naming what was wrong, and every good task around it
/// runs exactly once. Each broker's test project derives, says how to make a scenario with a real worker process, and
/// adds the raw entries only its transport can carry (missing fields, lying attributes, sizes at its limits).
/// </summary>
public abstract class MalformedInputTests
{
    protected const string Queue = "default";

    protected abstract WorkerProcessScenario NewScenario();

    /// <summary>Writes a body as is into <see cref="Queue"/>, as a foreign producer would (no envelope, no checks).</summary>
    protected virtual Task WriteBodyAsync(WorkerProcessScenario scenario, byte[] body) =>
        scenario.Broker.SendAsync([new OutgoingMessage(Queue, body)], CancellationToken.None).AsTask();

    /// <summary>Raw entries only this transport can carry.</summary>
    protected virtual IEnumerable<RawEntry> TransportEntries(WorkerProcessScenario scenario) => [];

    /// <summary>How long the whole run may take (brokers with whole-second leases need longer).</summary>
    protected virtual TimeSpan Patience => TimeSpan.FromSeconds(90);

    /// <summary>Bodies no worker can run, each with what its dead letter's reason must say; some drawn from a seeded generator.</summary>
    public static IEnumerable<(string Name, byte[] Body, string Reason)> BadBodies()
    {
        static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
        static string Envelope(string id, string rest = "") => $$"""{"v":1,"id":"{{id}}","task":"demo.record","queue":"default","args":{"milliseconds":1}{{rest}}}""";
        yield return ("empty body", [], "unparseable envelope");
        yield return ("not JSON", Utf8("hello, worker"), "unparseable envelope");
        yield return ("truncated JSON", Utf8("""{"v":1,"id":"x","task":"demo.rec"""), "unparseable envelope");
        yield return ("invalid UTF-8", [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d], "unparseable envelope");
        yield return ("JSON null", Utf8("null"), "body is JSON null");
        yield return ("JSON array", Utf8("[1,2,3]"), "unparseable envelope");
        yield return ("JSON string", Utf8("\"demo.record\""), "unparseable envelope");
        yield return ("deeply nested JSON", Utf8(new string('[', 5000) + new string(']', 5000)), "unparseable envelope");
        yield return ("deeply nested args", Utf8($$"""{"v":1,"id":"deep","task":"demo.record","queue":"default","args":{{new string('[', 3000) + new string(']', 3000)}}}"""), "unparseable envelope");
        yield return ("no id", Utf8("""{"v":1,"task":"demo.record","queue":"default"}"""), "missing required properties including: 'id'");
        yield return ("no task", Utf8("""{"v":1,"id":"x","queue":"default"}"""), "missing required properties including: 'task'");
        yield return ("an empty id", Utf8("""{"v":1,"id":"","task":"demo.record","queue":"default"}"""), "lacks id, task or queue");
        yield return ("id of the wrong type", Utf8("""{"v":1,"id":42,"task":"demo.record","queue":"default"}"""), "unparseable envelope");
        yield return ("version as a string", Utf8("""{"v":"1","id":"x","task":"demo.record","queue":"default"}"""), "unparseable envelope");
        yield return ("a later version", Utf8("""{"v":99,"id":"v99","task":"demo.record","queue":"default","args":{"milliseconds":1}}"""), "unsupported envelope version 99");
        yield return ("version 0", Utf8("""{"v":0,"id":"v0","task":"demo.record","queue":"default"}"""), "unsupported envelope version 0");
        yield return ("a header that is not a string", Utf8(Envelope("h", ""","headers":{"traceparent":7}""")), "unparseable envelope");
        yield return ("an eta that is not a time", Utf8(Envelope("eta", ""","eta":"tomorrow" """)), "unparseable envelope");
        yield return ("an unknown task", Utf8("""{"v":1,"id":"u","task":"no.such.task","queue":"default","args":{}}"""), "unknown task 'no.such.task'");
        yield return ("a huge task name", Utf8($$"""{"v":1,"id":"big","task":"{{new string('t', 100_000)}}","queue":"default"}"""), "(100000 characters)");
        yield return ("args of the wrong type", Utf8("""{"v":1,"id":"a","task":"demo.record","queue":"default","args":{"milliseconds":"soon"}}"""), "args do not bind");
        yield return ("args that are an array", Utf8("""{"v":1,"id":"b","task":"demo.record","queue":"default","args":[1]}"""), "args do not bind");

        // Seeded, so a failure can be replayed: random bytes, and a valid envelope with one field dropped or given a wrong type.
        var random = new Random(20261205);
        for (var i = 0; i < 4; i++)
        {
            var bytes = new byte[random.Next(1, 2048)];
            random.NextBytes(bytes);
            bytes[0] = (byte)'!'; // never valid JSON, whatever follows
            yield return ($"random bytes #{i}", bytes, "unparseable envelope");
        }
        string[] required = ["id", "task", "queue"];
        object[] wrong = [12, true, new JsonArray(), new JsonObject()];
        for (var i = 0; i < 4; i++)
        {
            var envelope = JsonNode.Parse(Envelope($"mutant-{i}"))!.AsObject();
            var field = required[random.Next(required.Length)];
            if (i % 2 == 0)
            {
                envelope.Remove(field);
                yield return ($"random envelope without {field} #{i}", Utf8(envelope.ToJsonString()), $"missing required properties including: '{field}'");
            }
            else
            {
                envelope[field] = JsonValue.Create(wrong[random.Next(wrong.Length)]) ?? (JsonNode)new JsonArray();
                yield return ($"random envelope with a wrong {field} #{i}", Utf8(envelope.ToJsonString()), "unparseable envelope");
            }
        }
    }

    /// <summary>Raw bodies that any worker must run: forward compatibility, not bad input.</summary>
    public static IEnumerable<(string Id, byte[] Body)> GoodRawBodies()
    {
        yield return ("raw-unknown-fields", Encoding.UTF8.GetBytes("""{"v":1,"id":"raw-unknown-fields","task":"demo.record","queue":"default","args":{"milliseconds":1},"future":{"x":[1,2]},"priority2":"high"}"""));
        yield return ("raw-readable-v2", Encoding.UTF8.GetBytes("""{"v":2,"vmin":1,"id":"raw-readable-v2","task":"demo.record","queue":"default","args":{"milliseconds":1},"newInV2":true}"""));
    }

    /// <summary>A good envelope of the example task with this id, for transport entries that must run (<paramref name="extra"/>: more fields, each with a leading comma).</summary>
    protected static byte[] GoodBody(string id, string extra = "") =>
        Encoding.UTF8.GetBytes($$"""{"v":1,"id":"{{id}}","task":"demo.record","queue":"default","args":{"milliseconds":1}{{extra}}}""");

    [Fact]
    public async Task Every_bad_entry_is_dead_lettered_on_its_own_and_every_good_task_around_it_runs_once()
    {
        await using var scenario = NewScenario();
        var bad = BadBodies().Select(b => new RawEntry(b.Name, () => WriteBodyAsync(scenario, b.Body)) { Reason = b.Reason })
            .Concat(GoodRawBodies().Select(g => new RawEntry(g.Id, () => WriteBodyAsync(scenario, g.Body)) { RunsAs = g.Id }))
            .Concat(TransportEntries(scenario))
            .ToList();

        // Good tasks through the client, interleaved with the raw entries, so that a receive takes both at once.
        var good = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in bad)
        {
            good.Add(await scenario.Client.EnqueueAsync(new RecordArgs(1)));
            await entry.WriteAsync();
            if (entry.RunsAs is { } id) good.Add(id);
        }
        good.Add(await scenario.Client.EnqueueAsync(new RecordArgs(1)));
        var expectedLetters = bad.Where(e => e.Reason is not null).ToList();

        var worker = scenario.StartWorker(concurrency: 4);
        var letters = new List<DeadLetter>();
        var drained = await Eventually.Reached(async () =>
        {
            letters = [.. await scenario.Admin.ListDeadLettersAsync(null, 1000, CancellationToken.None)];
            var done = scenario.Executions().Where(e => e.Event == "done").Select(e => e.TaskId).ToHashSet(StringComparer.Ordinal);
            return good.IsSubsetOf(done) && letters.Count >= expectedLetters.Count && (await scenario.DepthAsync(Queue)).Total == 0;
        }, Patience);
        var executions = scenario.Executions();
        var output = worker.Output;
        var report = $"\ndead letters:\n{string.Join("\n", letters.Select(l => $"  {l.Reason}"))}\nworker (last 20,000 characters):\n{output[Math.Max(0, output.Length - 20_000)..]}";
        Assert.True(drained, $"not drained: {good.Count(id => !executions.Any(e => e.TaskId == id && e.Event == "done"))} of {good.Count} good tasks missing, " +
                             $"{letters.Count} of {expectedLetters.Count} dead letters" + report);

        // Exactly once: no good task ran twice, no bad one ran at all.
        foreach (var id in good) Assert.True(executions.Count(e => e.TaskId == id && e.Event == "done") == 1, $"{id} ran {executions.Count(e => e.TaskId == id && e.Event == "done")} times" + report);
        Assert.All(executions, e => Assert.Contains(e.TaskId, good));
        Assert.Equal(expectedLetters.Count, letters.Count);
        foreach (var group in expectedLetters.GroupBy(e => e.Reason!, StringComparer.Ordinal))
        {
            var matching = letters.Count(l => l.Reason.Contains(group.Key, StringComparison.Ordinal));
            Assert.True(matching >= group.Count(), $"{group.Count()} dead letters should say '{group.Key}' ({string.Join(", ", group.Select(e => e.Name))}), {matching} do" + report);
        }
        Assert.All(letters, l => Assert.False(string.IsNullOrWhiteSpace(l.Reason)));
        // The receive path itself never failed over any of it.
        Assert.DoesNotContain("Receiving from the broker failed", worker.Output, StringComparison.Ordinal);
        Assert.False(worker.HasExited, worker.Output);
    }
}
