using Microsoft.AspNetCore.Http;
using HttpResults = Microsoft.AspNetCore.Http.Results;
using Microsoft.Extensions.Options;

namespace Celeriac.Dashboard;

/// <summary>
/// What every action (a request that changes something) must pass: not read-only; sent by the dashboard's own page
/// (no cross-site <c>Sec-Fetch-Site</c>, an <c>Origin</c> equal to the dashboard's when there is one, a JSON body, which
/// a plain HTML form cannot send); and the token in an <c>Authorization: Bearer</c> header. The token never travels in
/// a cookie, so a browser never attaches it on its own to a request another site makes: that, with the checks on
/// origin, is the protection against cross-site requests.
/// </summary>
public sealed class DashboardActionFilter(DashboardToken token, IOptions<DashboardOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.HttpContext.Request;
        if (options.Value.ReadOnly) return Refuse(StatusCodes.Status403Forbidden, "the dashboard is read-only");
        if (request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site")
            return Refuse(StatusCodes.Status403Forbidden, "cross-site request refused");
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
            return Refuse(StatusCodes.Status403Forbidden, "cross-origin request refused");
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return Refuse(StatusCodes.Status415UnsupportedMediaType, "actions take a JSON body");
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !token.Matches(authorization["Bearer ".Length..].Trim()))
            return Refuse(StatusCodes.Status401Unauthorized, "a valid token is required for actions");
        return await next(context).ConfigureAwait(false);
    }

    private static IResult Refuse(int status, string message) => HttpResults.Json(new { error = message }, statusCode: status);
}
