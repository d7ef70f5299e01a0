using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Otlp;

public static class OtlpServiceCollectionExtensions
{
    /// <summary>
    /// Exports Celeriac's metrics and traces with OTLP when <c>Celeriac:Otlp:Endpoint</c> is set in
    /// <paramref name="configuration"/> (the root configuration); does nothing otherwise.
    /// </summary>
    public static IServiceCollection AddCeleriacOtlp(this IServiceCollection services, IConfiguration configuration, Action<OtlpOptions>? configure = null)
    {
        var options = services.AddOptions<OtlpOptions>().Bind(configuration.GetSection("Celeriac:Otlp"));
        if (configure is not null) options.Configure(configure);
        services.AddHostedService<OtlpExportService>();
        return services;
    }
}
