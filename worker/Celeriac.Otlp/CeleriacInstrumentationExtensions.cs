using Celeriac.Observability;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace OpenTelemetry;

/// <summary>
/// Adds Celeriac's meter and activity source (both named <see cref="CeleriacDiagnostics.MeterName"/>, "Celeriac") to an
/// OpenTelemetry pipeline the application owns: <c>services.AddOpenTelemetry().AddCeleriacInstrumentation()</c>, or the
/// per-signal methods inside its own <c>WithMetrics</c> and <c>WithTracing</c>.
/// </summary>
public static class CeleriacInstrumentationExtensions
{
    /// <summary>Celeriac's task and worker metrics (<c>celeriac.tasks.succeeded</c>, <c>celeriac.task.duration</c>, ...).</summary>
    public static MeterProviderBuilder AddCeleriacInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(CeleriacDiagnostics.MeterName);
    }

    /// <summary>Celeriac's spans: one per enqueue and one per task run, linked through the envelope's <c>traceparent</c>.</summary>
    public static TracerProviderBuilder AddCeleriacInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(CeleriacDiagnostics.SourceName);
    }

    /// <summary>Both: Celeriac's metrics and spans join whatever exporters the application's pipeline has.</summary>
    public static IOpenTelemetryBuilder AddCeleriacInstrumentation(this IOpenTelemetryBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .WithMetrics(metrics => metrics.AddCeleriacInstrumentation())
            .WithTracing(tracing => tracing.AddCeleriacInstrumentation());
    }
}
