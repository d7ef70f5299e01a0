using Celeriac.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Celeriac.Dashboard;

public static class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// The dashboard's services: <c>Celeriac:Dashboard</c> options checked at start, its token, and the filter of its
    /// actions. Add Celeriac itself (<c>AddCeleriac</c> with a broker and a shared store) too, and map the endpoints
    /// with <see cref="DashboardEndpoints.MapCeleriacDashboard"/>.
    /// </summary>
    public static IServiceCollection AddCeleriacDashboard(this IServiceCollection services, IConfiguration? configuration, Action<DashboardOptions>? configure = null)
    {
        services.AddCeleriacOptions<DashboardOptions, DashboardOptionsValidator>(configuration?.GetSection("Celeriac"), configure);
        services.TryAddSingleton<DashboardToken>();
        services.TryAddSingleton<DashboardActionFilter>();
        services.TryAddSingleton<ClusterTaskQueues>();
        return services;
    }
}
