using System.Net;
using System.Net.Sockets;
using System.Text;
using Celeriac.Brokers;
using Celeriac.Examples.Tasks;
using Xunit;
using Celeriac.Testing;

namespace Celeriac.EndToEnd.Tests;

public sealed class HealthAndPoisonTests
{
    [Fact]
    public async Task Health_endpoints_answer_on_the_worker_host()
    {
        await using var scenario = new Scenario();
        var port = LoopbackPort.Free();
        var worker = scenario.StartWorker(args: ["--urls", $"http://127.0.0.1:{port}"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        HttpResponseMessage? ready = null;
        Assert.True(await Scenario.WaitUntilAsync(async () =>
        {
            try { ready = await http.GetAsync("/readyz"); return ready.StatusCode == HttpStatusCode.OK; }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromSeconds(60)), worker.Output);
        Assert.Equal("ok", (await ready!.Content.ReadAsStringAsync()).Trim());
        var live = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Poison_messages_are_dead_lettered_with_a_reason_and_the_worker_keeps_running()
    {
        await using var scenario = new Scenario();
        await scenario.Broker.SendAsync([new OutgoingMessage("default", Encoding.UTF8.GetBytes("{not json"))], CancellationToken.None);
        await scenario.Client.EnqueueAsync("no.such.task", new { a = 1 });
        await scenario.Client.EnqueueAsync("demo.record", new { milliseconds = "later" });
        for (var i = 0; i < 5; i++) await scenario.Client.EnqueueAsync(new RecordArgs(1));
        var worker = scenario.StartWorker();

        Assert.True(await Scenario.WaitUntilAsync(() => scenario.Executions().Count(e => e.Event == "done") == 5, TimeSpan.FromSeconds(60)), worker.Output);
        Assert.True(await Scenario.WaitUntilAsync(async () => (await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None)).Count == 3, TimeSpan.FromSeconds(10)));
        var reasons = (await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None)).Select(d => d.Reason).ToList();
        Assert.Contains(reasons, r => r.Contains("unparseable", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("unknown task 'no.such.task'", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("args do not bind to RecordArgs", StringComparison.Ordinal));
        Assert.False(worker.HasExited);
    }

}
