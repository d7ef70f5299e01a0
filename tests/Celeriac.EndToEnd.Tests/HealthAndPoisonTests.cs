using System.Net;
using System.Net.Sockets;
using System.Text;
using Celeriac.Brokers;
using Celeriac.Examples.Tasks;
using Xunit;

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
        Assert.True(await Eventually.Reached(async () =>
        {
            try { ready = await http.GetAsync("/readyz"); return ready.StatusCode == HttpStatusCode.OK; }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromSeconds(60)), worker.Output);
        Assert.Equal("ok", (await ready!.Content.ReadAsStringAsync()).Trim());
        var live = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
