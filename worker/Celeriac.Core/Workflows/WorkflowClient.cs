using Celeriac.Results;
using Celeriac.Client;
using Celeriac.Tasks;

namespace Celeriac.Workflows;

/// <summary>Starts workflows (chains, groups, chords) and hands back a handle on their final result.</summary>
public sealed class WorkflowClient(WorkflowRunner runner, TaskRegistry registry, TaskControl control)
{
    /// <summary>
    /// Sends the workflow's first tasks and returns a handle whose <see cref="TaskHandle.GetResultAsync{T}"/> awaits the
    /// workflow's result: the last step's result for a chain, the list of member results (in order) for a group, the
    /// callback's result for a chord. A failed step fails it with <see cref="TaskFailedException"/>, naming the step.
    /// The workflow's id is <paramref name="workflowId"/> when given (its step ids derive from it), else a new one.
    /// </summary>
    public async Task<TaskHandle> StartAsync(Workflow workflow, string? workflowId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var id = workflowId ?? Guid.NewGuid().ToString();
        await runner.StartAsync(workflow.ToNode(registry), id, cancellationToken).ConfigureAwait(false);
        return control.Handle(id);
    }
}
