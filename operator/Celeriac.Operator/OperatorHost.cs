using Celeriac.Observability;
using Celeriac.Operator.Controller;
using Celeriac.Prometheus;
using Celeriac.Operator.Kubernetes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Celeriac.Kubernetes;

namespace Celeriac.Operator;

/// <summary>Composition of the operator process: Kubernetes client, leader election, controller, /healthz and /metrics.</summary>
public static class OperatorHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        await using var app = Build(args, kubernetes: null);
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }

    /// <param name="kubernetes">The API server to use; null finds it as kubectl does (kubeconfig, else in-cluster).</param>
    public static WebApplication Build(string[] args, KubernetesClientConfiguration? kubernetes)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseUrls(builder.Configuration["Operator:Urls"] ?? "http://0.0.0.0:8081");
        AddOperator(builder.Services, builder.Configuration, kubernetes);
        var app = builder.Build();
        MapEndpoints(app);
        return app;
    }

    /// <param name="kubernetes">
    /// The API server to use; null finds it as kubectl does (<see cref="KubeconfigDiscovery"/>, with the context
    /// <c>Operator:KubeContext</c>). An <see cref="IKubernetes"/> the app registered is used as it is.
    /// </param>
    public static IServiceCollection AddOperator(IServiceCollection services, IConfiguration configuration, KubernetesClientConfiguration? kubernetes = null)
    {
        services.AddOptions<OperatorOptions>().Bind(configuration.GetSection("Operator"));
        services.AddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => kubernetes ?? KubeconfigDiscovery.Load(configuration["Operator:KubeContext"]));
        services.TryAddSingleton<IKubernetes>(sp => new k8s.Kubernetes(sp.GetRequiredService<KubernetesClientConfiguration>()));
        services.AddSingleton<OperatorMetrics>();
        services.AddPrometheusExporter(o => o.MeterNames.Add(CeleriacDiagnostics.MeterName));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<OperatorOptions>>().Value;
            options.Identity ??= $"{Environment.GetEnvironmentVariable("HOSTNAME") ?? Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";
            return options;
        });
        services.AddSingleton(sp => new EventRecorder(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<EventRecorder>>(), Identity(sp)));
        services.AddSingleton(sp => new Brokers.TaskQueueBrokers(sp.GetRequiredService<IKubernetes>()));
        services.AddSingleton(sp => new Autoscaling.AutoscalingViews(sp.GetRequiredService<OperatorOptions>().AutoscalingStatusRefresh));
        services.AddSingleton<Autoscaling.IQueueDepthSource, Autoscaling.BrokerQueueDepthSource>();
        services.AddSingleton<Autoscaling.ScaleIn.IWorkerSource, Autoscaling.ScaleIn.RegistryWorkerSource>();
        services.AddSingleton<Autoscaling.ScaleIn.IdleFirstScaleIn>();
        services.AddSingleton<Autoscaling.QueueDepthAutoscaler>();
        services.AddSingleton<TaskQueueCache>();
        services.AddSingleton<TaskQueueReconciler>();
        services.AddSingleton<Scheduling.TaskQueueScheduler>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<OperatorOptions>();
            LeaderElector? elector = null;
            if (options.LeaderElection)
            {
                var ns = options.LeaseNamespace ?? sp.GetRequiredService<KubernetesClientConfiguration>().Namespace?.Trim() ?? "default";
                elector = new LeaderElector(sp.GetRequiredService<IKubernetes>(), options, ns, Identity(sp),
                    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LeaderElector>>());
            }
            return new TaskQueueController(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<TaskQueueCache>(),
                sp.GetRequiredService<TaskQueueReconciler>(), elector, options,
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
            controller.Healthy ? Microsoft.AspNetCore.Http.Results.Text("ok") : Microsoft.AspNetCore.Http.Results.Text("watches failing", statusCode: 503));
        app.MapPrometheusMetrics();
    }

    private static string Identity(IServiceProvider sp) => sp.GetRequiredService<OperatorOptions>().Identity!;
}
