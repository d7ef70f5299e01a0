using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Celeriac.Prometheus;

/// <summary>Registers the exporter and serves it at <c>/metrics</c>.</summary>
public static class PrometheusExporterExtensions
{
    /// <summary>Adds a <see cref="PrometheusCollector"/> over the meters named in <paramref name="configure"/> (call again to add more).</summary>
    public static IServiceCollection AddPrometheusExporter(this IServiceCollection services, Action<PrometheusExporterOptions>? configure = null)
    {
        services.AddMetrics();
        var options = services.AddOptions<PrometheusExporterOptions>();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton(sp => new PrometheusCollector(
            sp.GetRequiredService<IOptions<PrometheusExporterOptions>>().Value,
            sp.GetRequiredService<IMeterFactory>()));
        return services;
    }

    /// <summary>
    /// Serves the exposition at <paramref name="pattern"/>. The collector starts listening now, so that
    /// measurements made from here on are counted even before the first scrape.
    /// </summary>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        var collector = endpoints.ServiceProvider.GetRequiredService<PrometheusCollector>();
        return endpoints.MapGet(pattern, () => Results.Text(collector.Collect(), PrometheusText.ContentType));
    }
}
