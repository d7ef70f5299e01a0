using Celeriac.Observability;
using Celeriac.Operator.Controller;
using Celeriac.Prometheus;
using Celeriac.Operator.Kubernetes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Operator;

/// <summary>Composition of the operator process: Kubernetes client, leader election, controller, /healthz and /metrics.</summary>
public static class OperatorHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        await using var app = Build(args, connection: null);
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }

    /// <param name="connection">The API server to use; null discovers it (kubeconfig, else in-cluster).</param>
    public static WebApplication Build(string[] args, KubernetesConnection? connection)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseUrls(builder.Configuration["Operator:Urls"] ?? "http://0.0.0.0:8081");
        AddOperator(builder.Services, builder.Configuration, connection);
        var app = builder.Build();
        MapEndpoints(app);
        return app;
    }

    /// <param name="connection">The API server to use; null discovers it (kubeconfig, else in-cluster).</param>
    public static IServiceCollection AddOperator(IServiceCollection services, IConfiguration configuration, KubernetesConnection? connection)
    {
        services.AddOptions<OperatorOptions>().Bind(configuration.GetSection("Operator"));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(connection ?? KubernetesConnection.Discover(configuration["Operator:KubeContext"]));
        services.AddSingleton<IKubernetesClient>(sp => new KubernetesClient(sp.GetRequiredService<KubernetesConnection>(), sp.GetRequiredService<OperatorOptions>().WatchTimeout));
        services.AddSingleton<OperatorMetrics>();
        services.AddPrometheusExporter(o => o.MeterNames.Add(CeleriacDiagnostics.MeterName));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<OperatorOptions>>().Value;
            options.Identity ??= $"{Environment.GetEnvironmentVariable("HOSTNAME") ?? Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";
            return options;
        });
        services.AddSingleton(sp => new EventRecorder(sp.GetRequiredService<IKubernetesClient>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<EventRecorder>>(), Identity(sp)));
        services.AddSingleton(sp => new Brokers.TaskQueueBrokers(sp.GetRequiredService<IKubernetesClient>()));
        services.AddSingleton(sp => new Autoscaling.AutoscalingViews(sp.GetRequiredService<OperatorOptions>().AutoscalingStatusRefresh));
        services.AddSingleton<Autoscaling.IQueueDepthSource, Autoscaling.BrokerQueueDepthSource>();
        services.AddSingleton<Autoscaling.QueueDepthAutoscaler>();
        services.AddSingleton<TaskQueueReconciler>();
        services.AddSingleton<Scheduling.TaskQueueScheduler>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<OperatorOptions>();
            LeaderElector? elector = null;
            if (options.LeaderElection)
            {
                var ns = options.LeaseNamespace ?? sp.GetRequiredService<KubernetesConnection>().Namespace ?? "default";
                elector = new LeaderElector(sp.GetRequiredService<IKubernetesClient>(), options, ns, Identity(sp),
                    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LeaderElector>>());
            }
            return new TaskQueueController(sp.GetRequiredService<IKubernetesClient>(), sp.GetRequiredService<TaskQueueReconciler>(), elector, options,
                sp.GetRequiredService<OperatorMetrics>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TaskQueueController>>(),
                sp.GetRequiredService<Autoscaling.QueueDepthAutoscaler>(),
                sp.GetRequiredService<Scheduling.TaskQueueScheduler>());
        });
        services.AddHostedService(sp => sp.GetRequiredService<TaskQueueController>());
        return services;
    }

    public static void MapEndpoints(WebApplication app)
    {
        app.MapGet("/healthz", (TaskQueueController controller) =>
            controller.Healthy ? Results.Text("ok") : Results.Text("watches failing", statusCode: 503));
        app.MapPrometheusMetrics();
    }

    private static string Identity(IServiceProvider sp) => sp.GetRequiredService<OperatorOptions>().Identity!;
}
