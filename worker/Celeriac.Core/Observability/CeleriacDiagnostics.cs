using System.Diagnostics;

namespace Celeriac.Observability;

/// <summary>Names of Celeriac's ActivitySource and Meter (subscribe to these with OpenTelemetry).</summary>
public static class CeleriacDiagnostics
{
    public const string SourceName = "Celeriac";
    public const string MeterName = "Celeriac";

    public static ActivitySource ActivitySource { get; } = new(SourceName);
}
