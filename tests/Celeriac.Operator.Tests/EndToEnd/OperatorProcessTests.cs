using k8s;
using Microsoft.AspNetCore.Builder;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>The operator as its executable composes it: HTTP endpoints, and the namespace it watches.</summary>
public sealed class OperatorProcessTests : OperatorTestBase
{
    [Fact]
    public async Task Healthz_and_metrics_are_served()
    {
        await using var app = OperatorHost.Build(
            ["--Operator:Urls=http://127.0.0.1:0", "--Operator:LeaderElection=false", "--Logging:LogLevel:Default=Warning"],
            new KubernetesClientConfiguration { Host = Api.Url.ToString() });
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        await CreateAsync();
        await Eventually.Until(() => Deployment("billing-general") is not null, "the operator reconciles");

        Assert.Equal("ok", await http.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        string metrics = "";
        await Eventually.Until(() =>
        {
            metrics = http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).GetAwaiter().GetResult();
            return metrics.Contains("celeriac_operator_reconcile_total{result=\"success\"}", StringComparison.Ordinal);
        }, "a successful reconcile is counted");
        Assert.Contains("celeriac_operator_reconcile_duration_seconds_count", metrics, StringComparison.Ordinal);
        Assert.Contains("celeriac_operator_leader 1", metrics, StringComparison.Ordinal);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_namespaced_operator_leaves_other_namespaces_alone()
    {
        await using var app = OperatorHost.Build(
            ["--Operator:Urls=http://127.0.0.1:0", "--Operator:LeaderElection=false", "--Operator:WatchNamespace=team-b", "--Logging:LogLevel:Default=Warning"],
            new KubernetesClientConfiguration { Host = Api.Url.ToString() });
        await app.StartAsync();
        await CreateAsync(); // in namespace shop
        await CreateAsync(TestQueues.Sample.Replace("namespace: shop", "namespace: team-b", StringComparison.Ordinal));
        await Eventually.Until(() => Deployment("billing-general", "team-b") is not null, "the watched namespace is reconciled");
        Assert.Null(Deployment("billing-general", "shop"));
        Assert.Null(TaskQueue("billing", "shop")!["status"]);
        Assert.DoesNotContain(Api.Requests, r => r.Contains("/namespaces/shop/", StringComparison.Ordinal) && !r.StartsWith("POST", StringComparison.Ordinal));
        await app.StopAsync();
    }
}
