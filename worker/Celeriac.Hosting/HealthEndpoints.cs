using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Celeriac.Hosting;

/// <summary>
/// /healthz serves every health check tagged <see cref="CeleriacHealthChecks.LiveTag"/> and /readyz every one tagged
/// <see cref="CeleriacHealthChecks.ReadyTag"/>, Celeriac's (<see cref="CeleriacHealthChecks.AddCeleriacChecks"/>) and
/// the application's own alike. The body is <c>ok</c>, or one line per failing check.
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapCeleriacHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", Tagged(CeleriacHealthChecks.LiveTag));
        endpoints.MapHealthChecks("/readyz", Tagged(CeleriacHealthChecks.ReadyTag));
        return endpoints;
    }

    private static HealthCheckOptions Tagged(string tag) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResponseWriter = WritePlainTextAsync,
    };

    private static Task WritePlainTextAsync(HttpContext context, HealthReport report)
    {
        var text = new StringBuilder();
        if (report.Status == HealthStatus.Healthy) text.Append("ok\n");
        foreach (var (name, entry) in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy))
            text.Append(name).Append(": ").Append(entry.Status.ToString().ToLowerInvariant()).Append(", ").Append(entry.Description ?? entry.Exception?.Message).Append('\n');
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text.ToString());
    }
}
