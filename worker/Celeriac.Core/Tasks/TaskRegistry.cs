namespace Celeriac.Tasks;

/// <summary>The registered tasks, by name and by argument type.</summary>
public sealed class TaskRegistry
{
    private readonly Dictionary<string, TaskDescriptor> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, List<TaskDescriptor>> _byArgs = [];

    public TaskRegistry(IEnumerable<TaskDescriptor> descriptors)
    {
        foreach (var descriptor in descriptors)
        {
            if (!_byName.TryAdd(descriptor.Name, descriptor))
                throw new InvalidOperationException($"Task name '{descriptor.Name}' is registered twice ({_byName[descriptor.Name].TaskType.FullName} and {descriptor.TaskType.FullName}).");
            if (!_byArgs.TryGetValue(descriptor.ArgsType, out var list))
                _byArgs[descriptor.ArgsType] = list = [];
            list.Add(descriptor);
        }
    }

    public IReadOnlyCollection<TaskDescriptor> All => _byName.Values;

    public bool TryGet(string name, out TaskDescriptor descriptor) => _byName.TryGetValue(name, out descriptor!);

    public TaskDescriptor GetByArgs(Type argsType)
    {
        if (!_byArgs.TryGetValue(argsType, out var list))
            throw new InvalidOperationException($"No registered task takes {argsType.Name}; register one or enqueue by task name.");
        if (list.Count > 1)
            throw new InvalidOperationException($"Several tasks take {argsType.Name} ({string.Join(", ", list.Select(d => d.Name))}); enqueue with EnqueueAsync<TTask>(args) or by task name.");
        return list[0];
    }

    public TaskDescriptor GetByType(Type taskType) =>
        _byName.Values.FirstOrDefault(d => d.TaskType == taskType)
        ?? throw new InvalidOperationException($"Task type {taskType.Name} is not registered.");
}
