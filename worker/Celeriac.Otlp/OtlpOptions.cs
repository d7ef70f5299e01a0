namespace Celeriac.Otlp;

/// <summary><c>Celeriac:Otlp</c>: where to send metrics and traces with OTLP. Nothing is sent without an endpoint.</summary>
public sealed class OtlpOptions
{
    /// <summary>The collector, e.g. <c>http://otel-collector:4317</c> (gRPC) or <c>http://otel-collector:4318</c> (HTTP).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>, as OTEL_EXPORTER_OTLP_PROTOCOL spells them.</summary>
    public string Protocol { get; set; } = "grpc";

    /// <summary>How often metrics are pushed.</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>service.name</c> resource attribute.</summary>
    public string ServiceName { get; set; } = "celeriac-worker";

    /// <summary>Extra meters and activity sources to export besides Celeriac's own.</summary>
    public IList<string> AdditionalSources { get; } = [];

    internal static bool IsHttp(string? protocol) => string.Equals(protocol, "http/protobuf", StringComparison.OrdinalIgnoreCase);

    internal static bool IsGrpc(string? protocol) => string.Equals(protocol, "grpc", StringComparison.OrdinalIgnoreCase);
}
