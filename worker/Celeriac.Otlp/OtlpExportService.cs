using Celeriac.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Celeriac.Otlp;

/// <summary>
/// Pushes Celeriac's meter and ActivitySource to an OTLP collector while the host runs, and flushes on stop.
/// (The registry has no OpenTelemetry.Extensions.Hosting, so the SDK providers are owned here.)
/// The providers are built in the constructor: the host creates every hosted service before it starts the first,
/// so they listen before the worker's fetch loop runs a task.
/// </summary>
public sealed class OtlpExportService : IHostedService, IDisposable
{
    private readonly MeterProvider? _meters;
    private readonly TracerProvider? _tracers;

    public OtlpExportService(IOptions<OtlpOptions> options)
    {
        var otlp = options.Value;
        if (otlp.Endpoint is null) return;
        var http = string.Equals(otlp.Protocol, "http/protobuf", StringComparison.OrdinalIgnoreCase);
        if (!http && !string.Equals(otlp.Protocol, "grpc", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Celeriac:Otlp:Protocol '{otlp.Protocol}' is not known; use grpc or http/protobuf.");
        var names = new[] { CeleriacDiagnostics.MeterName }.Concat(otlp.AdditionalSources).Distinct().ToArray();
        var resource = ResourceBuilder.CreateDefault().AddService(otlp.ServiceName);

        void Configure(OtlpExporterOptions exporter, string signalPath)
        {
            exporter.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            // Set in code, the HTTP endpoint is used as given: add the signal's path as the environment variable form would.
            exporter.Endpoint = http && otlp.Endpoint.AbsolutePath.TrimEnd('/').Length == 0 ? new Uri(otlp.Endpoint, signalPath) : otlp.Endpoint;
        }

        _meters = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(names)
            .AddOtlpExporter((exporter, reader) =>
            {
                Configure(exporter, "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)Math.Max(100, otlp.ExportInterval.TotalMilliseconds);
            })
            .Build();
        _tracers = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(names)
            .AddOtlpExporter(exporter => Configure(exporter, "v1/traces"))
            .Build();
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _meters?.ForceFlush(5000);
        _tracers?.ForceFlush(5000);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _meters?.Dispose();
        _tracers?.Dispose();
    }
}
