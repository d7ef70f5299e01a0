using System.Text.Json;
using Celeriac.Envelope;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Tasks;

/// <summary>Everything the worker needs to run one registered task, built once at start-up.</summary>
public sealed class TaskDescriptor
{
    public required string Name { get; init; }
    public required Type TaskType { get; init; }
    public required Type ArgsType { get; init; }
    public Type? ResultType { get; init; }
    public required TaskOptions Options { get; init; }

    /// <summary>Binds the envelope's args to the task's argument record; throws when they do not bind.</summary>
    public required Func<JsonElement, object> BindArgs { get; init; }

    /// <summary>Resolves the task from <c>services</c> (the execution's scope) and runs it with its args and context; returns the result or null.</summary>
    public required Func<IServiceProvider, object, TaskContext, Task<object?>> Invoke { get; init; }

    internal static TaskDescriptor Create(Type taskType, TaskOptions options, string? nameOverride = null)
    {
        var attribute = taskType.GetCustomAttributes(typeof(CeleriacTaskAttribute), false).OfType<CeleriacTaskAttribute>().FirstOrDefault();
        var name = nameOverride ?? attribute?.Name
            ?? throw new InvalidOperationException($"Task {taskType.FullName} has no [CeleriacTask(\"name\")] attribute and no name was given.");
        attribute?.ApplyTo(options);

        foreach (var iface in taskType.GetInterfaces().Where(i => i.IsGenericType))
        {
            var definition = iface.GetGenericTypeDefinition();
            var arguments = iface.GetGenericArguments();
            if (definition == typeof(ICeleriacTask<,>))
            {
                var method = typeof(TaskDescriptor).GetMethod(nameof(CreateWithResult), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                    .MakeGenericMethod(taskType, arguments[0], arguments[1]);
                return (TaskDescriptor)method.Invoke(null, [name, options])!;
            }
            if (definition == typeof(ICeleriacTask<>))
            {
                var method = typeof(TaskDescriptor).GetMethod(nameof(CreateWithoutResult), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                    .MakeGenericMethod(taskType, arguments[0]);
                return (TaskDescriptor)method.Invoke(null, [name, options])!;
            }
        }
        throw new InvalidOperationException($"{taskType.FullName} implements neither ICeleriacTask<TArgs> nor ICeleriacTask<TArgs, TResult>.");
    }

    private static TaskDescriptor CreateWithoutResult<TTask, TArgs>(string name, TaskOptions options)
        where TTask : class, ICeleriacTask<TArgs> => new()
        {
            Name = name,
            TaskType = typeof(TTask),
            ArgsType = typeof(TArgs),
            Options = options,
            BindArgs = BindArgsOf<TArgs>,
            Invoke = async (services, args, context) =>
            {
                var task = ActivatorUtilities.GetServiceOrCreateInstance<TTask>(services);
                await task.RunAsync((TArgs)args, context).ConfigureAwait(false);
                return null;
            },
        };

    private static TaskDescriptor CreateWithResult<TTask, TArgs, TResult>(string name, TaskOptions options)
        where TTask : class, ICeleriacTask<TArgs, TResult> => new()
        {
            Name = name,
            TaskType = typeof(TTask),
            ArgsType = typeof(TArgs),
            ResultType = typeof(TResult),
            Options = options,
            BindArgs = BindArgsOf<TArgs>,
            Invoke = async (services, args, context) =>
            {
                var task = ActivatorUtilities.GetServiceOrCreateInstance<TTask>(services);
                return await task.RunAsync((TArgs)args, context).ConfigureAwait(false);
            },
        };

    private static object BindArgsOf<TArgs>(JsonElement json)
    {
        if (json.ValueKind == JsonValueKind.Undefined)
            throw new JsonException("args are missing");
        return json.Deserialize<TArgs>(EnvelopeSerializer.ArgsOptions)
            ?? throw new JsonException($"args bound to null for {typeof(TArgs).Name}");
    }
}
