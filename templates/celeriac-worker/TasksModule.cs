using Celeriac.Hosting;

namespace Company.Tasks;

/// <summary>Called by the worker host when it loads this assembly: register the tasks and the services they use.</summary>
public sealed class TasksModule : ICeleriacModule
{
    public void Configure(CeleriacBuilder builder)
    {
        builder.AddTasksFromAssembly(typeof(TasksModule).Assembly);
        // builder.Services.AddHttpClient<IPaymentsApi, PaymentsApi>();
    }
}
