using Celeriac.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Celeriac.Otlp;

public static class OtlpServiceCollectionExtensions
{
    /// <summary>
    /// Exports Celeriac's metrics and traces with OTLP when <c>Celeriac:Otlp:Endpoint</c> is set in
    /// <paramref name="configuration"/> (the root configuration) or by <paramref name="configure"/>; does nothing
    /// otherwise. The providers are OpenTelemetry.Extensions.Hosting's: started with the host, flushed when it stops.
    /// </summary>
    public static IServiceCollection AddCeleriacOtlp(this IServiceCollection services, IConfiguration configuration, Action<OtlpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddCeleriacOptions<OtlpOptions, OtlpOptionsValidator>(configuration.GetSection("Celeriac"), configure);

        // Whether to export at all is decided now; the values are checked again, with their keys, when the host starts.
        var otlp = new OtlpOptions();
        configuration.GetSection("Celeriac:Otlp").Bind(otlp);
        configure?.Invoke(otlp);
        if (otlp.Endpoint is not { IsAbsoluteUri: true } endpoint) return services;
        var http = OtlpOptions.IsHttp(otlp.Protocol);
        var extra = otlp.AdditionalSources.Distinct(StringComparer.Ordinal).ToArray();

        void Point(OtlpExporterOptions exporter, string signalPath)
        {
            exporter.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            // Set in code, the HTTP endpoint is used as given: add the signal's path as the environment variable form would.
            exporter.Endpoint = http && endpoint.AbsolutePath.TrimEnd('/').Length == 0 ? new Uri(endpoint, signalPath) : endpoint;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(otlp.ServiceName))
            .WithMetrics(metrics => metrics
                .AddCeleriacInstrumentation()
                .AddMeter(extra)
                .AddOtlpExporter((exporter, reader) =>
                {
                    Point(exporter, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)Math.Clamp(otlp.ExportInterval.TotalMilliseconds, 100, int.MaxValue);
                }))
            .WithTracing(tracing => tracing
                .AddCeleriacInstrumentation()
                .AddSource(extra)
                .AddOtlpExporter(exporter => Point(exporter, "v1/traces")));
        return services;
    }
}
