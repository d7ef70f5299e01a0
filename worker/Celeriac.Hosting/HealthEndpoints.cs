using Celeriac.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Hosting;

/// <summary>/healthz (liveness: the fetch loop turns) and /readyz (readiness: started, broker reachable, not draining).</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapCeleriacHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", (WorkerHealth health) => Respond(health.Liveness()));
        endpoints.MapGet("/readyz", (WorkerHealth health) => Respond(health.Readiness()));
        return endpoints;
    }

    private static IResult Respond((bool Ok, string Detail) state) =>
        Results.Text(state.Detail + "\n", "text/plain", statusCode: state.Ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
}
