using Celeriac.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Dashboard;

/// <summary>
/// The dashboard as a web app of its own (<c>celeriac dashboard</c>, its container): Celeriac's client side on the
/// broker and store named by configuration, the dashboard's endpoints, and headers that keep its page from being
/// framed, sniffed or given foreign scripts.
/// </summary>
public static class DashboardHost
{
    /// <summary>Loopback only: reaching it from elsewhere is a decision (<c>--urls</c>), not a default.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5555";

    public static WebApplication Build(IConfiguration configuration, string urls, Action<DashboardOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddConfiguration(configuration);
        builder.WebHost.UseUrls(urls);
        builder.Services.AddCeleriac(builder.Configuration, c => c.UseBrokerFromConfiguration());
        builder.Services.AddCeleriacDashboard(builder.Configuration, configure);
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            await next(context).ConfigureAwait(false);
        });
        app.MapCeleriacDashboard();
        return app;
    }

    /// <summary>Whether every address of <paramref name="urls"/> is a loopback one.</summary>
    public static bool IsLoopbackOnly(string urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(u =>
            Uri.TryCreate(u.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            && (uri.IsLoopback || uri.Host == "localhost"));
    }
}
