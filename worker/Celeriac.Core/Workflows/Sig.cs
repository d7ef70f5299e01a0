using System.Text.Json;
using Celeriac.Envelope;
using Celeriac.Tasks;

namespace Celeriac.Workflows;

/// <summary>
/// One task of a workflow. With fixed args (<see cref="Of{TArgs}(TArgs)"/>, <see cref="For{TTask}(object)"/>) it runs
/// with them; without (<see cref="Of{TTask}()"/>) it runs with the previous step's result as its args.
/// </summary>
public sealed class Sig : Workflow
{
    private readonly Func<TaskRegistry, string> _name;
    private readonly JsonElement? _args;
    private readonly bool _immutable;
    private readonly string? _queue;

    private Sig(Func<TaskRegistry, string> name, JsonElement? args, bool immutable, string? queue)
    {
        _name = name;
        _args = args;
        _immutable = immutable;
        _queue = queue;
    }

    /// <summary>The task registered for <typeparamref name="TArgs"/>, with these args.</summary>
    public static Sig Of<TArgs>(TArgs args) where TArgs : notnull =>
        new(r => r.GetByArgs(typeof(TArgs)).Name, EnvelopeSerializer.SerializeArgs(args), false, null);

    /// <summary>The task <typeparamref name="TTask"/>, taking the previous step's result as its args.</summary>
    public static Sig Of<TTask>() where TTask : class => new(r => r.GetByType(typeof(TTask)).Name, null, false, null);

    /// <summary>The task <typeparamref name="TTask"/>, with these args.</summary>
    public static Sig For<TTask>(object args) where TTask : class
    {
        ArgumentNullException.ThrowIfNull(args);
        return new(r => r.GetByType(typeof(TTask)).Name, EnvelopeSerializer.SerializeArgs(args, args.GetType()), false, null);
    }

    /// <summary>A task by name (it need not be registered in this process); no args means the previous step's result.</summary>
    public static Sig Named(string task, object? args = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(task);
        return new(_ => task, args is null ? null : EnvelopeSerializer.SerializeArgs(args, args.GetType()), false, null);
    }

    /// <summary>Ignores the previous step's result: the task gets its fixed args, or <c>{}</c> when it has none.</summary>
    public Sig Immutable() => new(_name, _args, true, _queue);

    /// <summary>Sends this step to <paramref name="queue"/> instead of its task's queue.</summary>
    public Sig OnQueue(string queue)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        return new(_name, _args, _immutable, queue);
    }

    internal override WorkflowNode ToNode(TaskRegistry registry) =>
        new() { Task = _name(registry), Args = _args, Immutable = _immutable, Queue = _queue };
}
