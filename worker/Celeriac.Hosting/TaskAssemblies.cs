using System.Reflection;
using System.Runtime.Loader;
using Celeriac.Worker;
using Microsoft.Extensions.Configuration;

namespace Celeriac.Hosting;

/// <summary>Loads the task assemblies listed in <c>Celeriac:Worker:TaskAssemblies</c> (as <c>celery -A</c> does for modules).</summary>
public static class TaskAssemblies
{
    /// <summary>The setting, in the worker's section (<c>Worker</c>), that lists the task assemblies.</summary>
    public const string Setting = "TaskAssemblies";

    public static CeleriacBuilder AddTaskAssembliesFromConfiguration(this CeleriacBuilder builder)
    {
        var paths = builder.Configuration?.GetSection($"{new WorkerOptionsValidator().Section}:{Setting}").Get<string[]>() ?? [];
        foreach (var path in paths.Where(p => !string.IsNullOrWhiteSpace(p)))
            builder.AddTaskAssembly(Load(path));
        return builder;
    }

    /// <summary>Runs the assembly's <see cref="ICeleriacModule"/>s, or registers its attributed tasks when it has none.</summary>
    public static CeleriacBuilder AddTaskAssembly(this CeleriacBuilder builder, Assembly assembly)
    {
        var modules = assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICeleriacModule).IsAssignableFrom(t))
            .ToList();
        if (modules.Count == 0) return builder.AddTasksFromAssembly(assembly);
        foreach (var type in modules) ((ICeleriacModule)Activator.CreateInstance(type)!).Configure(builder);
        return builder;
    }

    private static Assembly Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"Celeriac:Worker:TaskAssemblies: '{path}' was not found ({full}).", full);
        AssemblyName name;
        try
        {
            name = AssemblyName.GetAssemblyName(full);
        }
        catch (BadImageFormatException e)
        {
            throw new BadImageFormatException($"Celeriac:Worker:TaskAssemblies: '{path}' is not a .NET assembly ({e.Message})", full, e);
        }
        var loaded = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), name));
        if (loaded is not null) return loaded;
        var directory = Path.GetDirectoryName(full)!;
        AssemblyLoadContext.Default.Resolving += (context, dependency) =>
        {
            var candidate = Path.Combine(directory, dependency.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };
        return AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
    }
}
