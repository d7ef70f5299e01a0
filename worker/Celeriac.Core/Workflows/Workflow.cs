using Celeriac.Tasks;

namespace Celeriac.Workflows;

/// <summary>
/// A workflow to start with <see cref="WorkflowClient.StartAsync"/>: a task signature (<see cref="Sig"/>), a chain, a
/// group or a chord, nested at will. Task names are resolved from the registry when the workflow is started.
/// </summary>
public abstract class Workflow
{
    private protected Workflow()
    {
    }

    internal abstract WorkflowNode ToNode(TaskRegistry registry);

    /// <summary>Runs the steps one after the other; each receives the previous one's result (unless it has fixed args).</summary>
    public static Workflow Chain(params Workflow[] steps) => Chain((IEnumerable<Workflow>)steps);

    public static Workflow Chain(IEnumerable<Workflow> steps) => new ChainWorkflow(NonEmpty(steps, "A chain"));

    /// <summary>Runs the members in parallel; its result is the list of the members' results, in order.</summary>
    public static Workflow Group(params Workflow[] members) => Group((IEnumerable<Workflow>)members);

    public static Workflow Group(IEnumerable<Workflow> members) => new GroupWorkflow(NonEmpty(members, "A group"));

    /// <summary>A group, then <paramref name="callback"/> once with the list of all members' results (exactly once).</summary>
    public static Workflow Chord(IEnumerable<Workflow> members, Workflow callback) => Chain(Group(members), callback);

    /// <summary>A group (or any workflow) followed by its callback.</summary>
    public static Workflow Chord(Workflow group, Workflow callback) =>
        Chain(group is GroupWorkflow ? group : Group(group), callback);

    private static IReadOnlyList<Workflow> NonEmpty(IEnumerable<Workflow> items, string what)
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items.ToList();
        if (list.Count == 0) throw new ArgumentException($"{what} needs at least one step.", nameof(items));
        if (list.Any(i => i is null)) throw new ArgumentException($"{what} has a null step.", nameof(items));
        return list;
    }

    private sealed class ChainWorkflow(IReadOnlyList<Workflow> steps) : Workflow
    {
        internal override WorkflowNode ToNode(TaskRegistry registry) => new() { Chain = [.. steps.Select(s => s.ToNode(registry))] };
    }

    private sealed class GroupWorkflow(IReadOnlyList<Workflow> members) : Workflow
    {
        internal override WorkflowNode ToNode(TaskRegistry registry) => new() { Group = [.. members.Select(m => m.ToNode(registry))] };
    }
}
