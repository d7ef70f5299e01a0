using Celeriac.Observability;
using Celeriac.Operator.Controller;
using Celeriac.Prometheus;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Celeriac.Operator.Tests.EndToEnd;

/// <summary>One operator process (composed exactly as the real one) pointed at the fake API server, with short timings.</summary>
public sealed class OperatorInstance : IAsyncDisposable
{
    private readonly IHost host;

    private OperatorInstance(IHost host) => this.host = host;

    public TaskQueueController Controller => host.Services.GetRequiredService<TaskQueueController>();
    public OperatorMetrics Metrics => host.Services.GetRequiredService<OperatorMetrics>();

    /// <summary>What the operator's /metrics serves.</summary>
    public string MetricsText() => host.Services.GetRequiredService<PrometheusCollector>().Collect();

    /// <param name="configure">Changes to the operator's services after its own registrations (e.g. broker overrides for an emulator).</param>
    /// <param name="brokerOverrides">Configuration applied to every TaskQueue's broker connection (e.g. a shared SQLite file).</param>
    /// <param name="settings">Further operator settings (e.g. <c>Operator:SchedulerPollPeriod</c>).</param>
    public static async Task<OperatorInstance> StartAsync(KubernetesClientConfiguration kubernetes, bool leaderElection = false, string? identity = null, Action<IServiceCollection>? configure = null,
        IReadOnlyDictionary<string, string?>? brokerOverrides = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Operator:LeaderElection"] = leaderElection ? "true" : "false",
            ["Operator:Identity"] = identity,
            ["Operator:LeaseNamespace"] = "celeriac-system",
            ["Operator:LeaseDuration"] = "00:00:02",
            ["Operator:RenewDeadline"] = "00:00:01.500",
            ["Operator:RetryPeriod"] = "00:00:00.300",
            ["Operator:BackoffBase"] = "00:00:00.100",
            ["Operator:BackoffMax"] = "00:00:01",
            ["Operator:NotReadyRequeue"] = "00:00:00.500",
            ["Operator:ResyncPeriod"] = "00:00:05",
            ["Operator:WatchTimeout"] = "00:00:30",
            ["Operator:AutoscalingStatusRefresh"] = "00:00:00.500",
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        OperatorHost.AddOperator(builder.Services, builder.Configuration, kubernetes);
        if (brokerOverrides is not null)
            builder.Services.AddSingleton(sp => new Brokers.TaskQueueBrokers(sp.GetRequiredService<IKubernetes>()) { Overrides = brokerOverrides });
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        // As MapPrometheusMetrics does in the real host: the collector listens from before the first reconcile.
        host.Services.GetRequiredService<PrometheusCollector>();
        await host.StartAsync().ConfigureAwait(false);
        return new OperatorInstance(host);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync().ConfigureAwait(false);
        host.Dispose();
    }
}
