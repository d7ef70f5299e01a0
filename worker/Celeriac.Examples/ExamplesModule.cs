using Celeriac.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Examples;

/// <summary>Registers the example tasks and what they need. The logs do nothing unless their files are configured.</summary>
public sealed class ExamplesModule : ICeleriacModule
{
    public void Configure(CeleriacBuilder builder)
    {
        builder.AddTasksFromAssembly(typeof(ExamplesModule).Assembly);
        builder.Services.AddSingleton<Tasks.LeakedMemory>();
        builder.Services.AddSingleton<ExecutionLog>();
        builder.AddObserver<OutcomeLog>();
    }
}
