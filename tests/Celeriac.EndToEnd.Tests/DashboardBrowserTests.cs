using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Celeriac.Brokers;
using Celeriac.Dashboard;
using Celeriac.Examples.Tasks;
using Celeriac.Revocation;
using Celeriac.TaskIndex;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Celeriac.EndToEnd.Tests;

/// <summary>
/// The dashboard served as <c>celeriac dashboard</c> serves it, on the embedded broker with a real worker process: once
/// driven in Debian's headless chromium by playwright-core (Browser/dashboard.mjs; screenshots under
/// TestResults/dashboard), and once over plain HTTP for the rules actions must pass.
/// </summary>
public sealed class DashboardBrowserTests
{
    private const string Token = "test-token-0123456789abcdef";

    private static async Task<WebApplication> StartDashboardAsync(Scenario scenario, bool readOnly = false)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Celeriac:Broker:Type"] = "sqlite",
            ["Celeriac:Broker:Sqlite:Path"] = scenario.BrokerPath,
            ["Celeriac:Dashboard:Token"] = Token,
            ["Celeriac:Dashboard:RefreshInterval"] = "00:00:01",
        }).Build();
        var app = DashboardHost.Build(configuration, "http://127.0.0.1:0", o => o.ReadOnly = readOnly);
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task In_chromium_pages_load_a_task_succeeds_a_revoke_and_a_replay_work_and_an_action_without_the_token_is_refused()
    {
        var playwright = Path.Combine(RepositoryRoot.Path, ".tools", "node_modules", "playwright-core");
        Assert.True(Directory.Exists(playwright), "playwright-core is not installed: run scripts/test-deps.sh");
        Assert.True(File.Exists("/usr/bin/chromium"), "Debian's chromium is not installed: run scripts/test-deps.sh");
        await using var scenario = new Scenario();

        // A dead letter whose replay succeeds: taken from the queue by hand and dead-lettered before any worker runs.
        var deadId = await scenario.Client.EnqueueAsync(new RecordArgs(1));
        var taken = Assert.Single(await scenario.Broker.ReceiveAsync(["default"], 1, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), CancellationToken.None));
        await scenario.Broker.DeadLetterAsync(taken, "dead-lettered by the test", CancellationToken.None);
        // Queued for an hour: the one to revoke from the page.
        var delayedId = await scenario.Client.EnqueueAsync(new RecordArgs(1), new Client.EnqueueOptions { Countdown = TimeSpan.FromHours(1) });

        await using var dashboard = await StartDashboardAsync(scenario);
        var worker = scenario.StartWorker(concurrency: 2);
        var runId = await scenario.Client.EnqueueAsync(new RecordArgs(1500));
        await scenario.Services.GetRequiredService<TaskIndexWriter>().FlushAsync();

        var shots = Path.Combine(RepositoryRoot.Path, "TestResults", "dashboard");
        Directory.CreateDirectory(shots);
        foreach (var old in Directory.GetFiles(shots, "*.png")) File.Delete(old);
        var start = new ProcessStartInfo("node", [Path.Combine(RepositoryRoot.Path, "tests", "Celeriac.EndToEnd.Tests", "Browser", "dashboard.mjs")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["PLAYWRIGHT_CORE"] = playwright,
                ["URL"] = dashboard.Urls.Single(),
                ["TOKEN"] = Token,
                ["RUN_ID"] = runId,
                ["DELAYED_ID"] = delayedId,
                ["DEAD_ID"] = deadId,
                ["SHOTS"] = shots,
            },
        };
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            try
            {
                await node.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                node.Kill(entireProcessTree: true);
            }
        }
        var report = await stdout + await stderr;
        Assert.True(node.ExitCode == 0, report + "\n--- worker:\n" + worker.Output);
        Assert.Contains("every step passed", report, StringComparison.Ordinal);

        // What the page did reached the store and the broker.
        Assert.Contains(delayedId, await scenario.Services.GetRequiredService<IRevocationStore>().GetRevokedAsync(CancellationToken.None));
        Assert.Empty(await scenario.Admin.ListDeadLettersAsync(null, 10, CancellationToken.None));
        Assert.Contains(scenario.Executions(), e => e.TaskId == deadId && e.Event == "done");
        foreach (var name in new[] { "overview", "workers", "tasks", "task-detail", "refused-without-token", "revocations", "dead-letters", "replayed-task" })
            Assert.True(File.Exists(Path.Combine(shots, name + ".png")), name + ".png missing");
    }

    [Fact]
    public async Task Actions_need_the_token_the_dashboards_own_origin_and_a_json_body_and_read_only_refuses_them()
    {
        await using var scenario = new Scenario();
        await using var dashboard = await StartDashboardAsync(scenario);
        using var http = new HttpClient { BaseAddress = new Uri(dashboard.Urls.Single()) };

        async Task<HttpStatusCode> PostAsync(string? token, string contentType = "application/json", string? origin = null, string? fetchSite = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/actions/revoke") { Content = new StringContent("""{"taskId":"t-1"}""", Encoding.UTF8, contentType) };
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (origin is not null) request.Headers.Add("Origin", origin);
            if (fetchSite is not null) request.Headers.Add("Sec-Fetch-Site", fetchSite);
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(null));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync("test-token-0123456789abcdeX"));
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(Token, origin: "https://attacker.example"));
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(Token, fetchSite: "cross-site"));
        // A form post (what a foreign page can send without asking) is not an action.
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await PostAsync(Token, contentType: "application/x-www-form-urlencoded"));
        Assert.DoesNotContain("t-1", await scenario.Services.GetRequiredService<IRevocationStore>().GetRevokedAsync(CancellationToken.None));

        Assert.Equal(HttpStatusCode.OK, await PostAsync(Token, origin: dashboard.Urls.Single(), fetchSite: "same-origin"));
        Assert.Contains("t-1", await scenario.Services.GetRequiredService<IRevocationStore>().GetRevokedAsync(CancellationToken.None));

        // The page's own protections.
        using var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        // Bounded: a page of tasks asks for at most the index's limit, whatever is asked.
        using var tasks = await http.GetAsync("/api/tasks?limit=100000");
        Assert.Equal(HttpStatusCode.OK, tasks.StatusCode);

        await using var readOnly = await StartDashboardAsync(scenario, readOnly: true);
        using var readOnlyHttp = new HttpClient { BaseAddress = new Uri(readOnly.Urls.Single()) };
        using var refused = new HttpRequestMessage(HttpMethod.Post, "/api/actions/check") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        refused.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        Assert.Equal(HttpStatusCode.Forbidden, (await readOnlyHttp.SendAsync(refused)).StatusCode);
    }

    [Fact]
    public void The_dashboard_listens_on_this_machine_only_unless_told()
    {
        Assert.True(DashboardHost.IsLoopbackOnly(DashboardHost.DefaultUrls));
        Assert.True(DashboardHost.IsLoopbackOnly("http://localhost:5555;http://[::1]:5555"));
        Assert.False(DashboardHost.IsLoopbackOnly("http://0.0.0.0:5555"));
        Assert.False(DashboardHost.IsLoopbackOnly("http://*:5555"));
    }
}
