using Celeriac.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Hosting;

public static class LocalSchedulerExtensions
{
    /// <summary>Runs the schedules of <c>Celeriac:Schedules</c> (if any) in this process while it holds the store's scheduler lock.</summary>
    /// <exception cref="FormatException">A schedule is invalid.</exception>
    public static IServiceCollection AddCeleriacSchedules(this IServiceCollection services, IConfiguration configuration)
    {
        var celeriac = configuration.GetSection("Celeriac");
        var schedules = LocalScheduleConfiguration.Read(celeriac);
        if (schedules.Count == 0) return services;
        services.AddCeleriacOptions<LocalSchedulerOptions, LocalSchedulerOptionsValidator>(celeriac);
        services.AddSingleton<IReadOnlyList<ScheduleDefinition>>(schedules);
        services.AddSingleton<LocalScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalScheduler>());
        return services;
    }
}
