using Celeriac.Hosting;

namespace Celeriac.Otlp;

/// <summary>The rules of <c>Celeriac:Otlp</c>.</summary>
public sealed class OtlpOptionsValidator() : OptionsSectionValidator<OtlpOptions>("Otlp")
{
    protected override void Check(OtlpOptions options, OptionsCheck check)
    {
        if (options.Endpoint is { IsAbsoluteUri: false } endpoint)
            check.Fail(nameof(options.Endpoint), $"must be an absolute URI such as http://otel-collector:4317 (was '{endpoint}').");
        if (!OtlpOptions.IsHttp(options.Protocol) && !OtlpOptions.IsGrpc(options.Protocol))
            check.Fail(nameof(options.Protocol), $"'{options.Protocol}' is not known; use grpc or http/protobuf.");
        check.AtLeast(options.ExportInterval, TimeSpan.FromMilliseconds(100), nameof(options.ExportInterval));
        check.Required(options.ServiceName, nameof(options.ServiceName));
    }
}
