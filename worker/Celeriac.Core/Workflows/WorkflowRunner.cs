using System.Text;
using System.Text.Json;
using Celeriac.Client;
using Celeriac.Envelope;
using Celeriac.Results;

namespace Celeriac.Workflows;

/// <summary>
/// Moves workflows along: starts a node (sends its first tasks, each carrying its continuation in its envelope),
/// continues after a step's success (the next chain step, or the group join) and fails the workflow after a step's final
/// failure. Nothing is held in memory between steps, so workflows survive worker restarts.
/// </summary>
public sealed class WorkflowRunner(TaskPublisher publisher, IWorkflowStore joins, IResultStore results, TimeProvider time)
{
    /// <summary>How long a workflow's result and its group joins are kept.</summary>
    public static readonly TimeSpan ResultExpiry = TimeSpan.FromDays(1);

    private static readonly JsonElement EmptyArgs = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>Sends the first tasks of <paramref name="node"/>; its result will be stored under <paramref name="workflowId"/>.</summary>
    public async ValueTask StartAsync(WorkflowNode node, string workflowId, CancellationToken cancellationToken)
    {
        var envelopes = new List<TaskEnvelope>();
        Build(node, null, [], workflowId, workflowId, null, envelopes);
        await publisher.SendAsync(envelopes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After the final success of a workflow step: continues with its result (JSON).</summary>
    public async ValueTask ContinueAsync(TaskEnvelope step, string resultJson, CancellationToken cancellationToken)
    {
        var root = step.Root ?? throw new ArgumentException("The envelope is not part of a workflow.", nameof(step));
        await CompleteAsync(ReadStack(step), resultJson, WorkflowIds.Next(step.Id), root, step.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>After the final failure (or revocation, or expiry) of a workflow step: the workflow fails, saying where it stopped.</summary>
    public ValueTask FailAsync(TaskEnvelope step, string? exceptionType, string? exceptionMessage, CancellationToken cancellationToken)
    {
        var root = step.Root ?? throw new ArgumentException("The envelope is not part of a workflow.", nameof(step));
        var failure = new TaskResult(root, false, null, exceptionType ?? "Celeriac.DeadLettered",
            $"{exceptionMessage ?? "failed"} (the workflow stopped at task {step.Task} {step.Id})", time.GetUtcNow())
        {
            FailedTaskId = step.Id,
        };
        return results.SetAsync(failure, ResultExpiry, cancellationToken);
    }

    private async ValueTask CompleteAsync(IReadOnlyList<WorkflowFrame> stack, string resultJson, string seed, string root, string parent, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (stack.Count == 0)
            {
                await results.SetAsync(new TaskResult(root, true, resultJson, null, null, time.GetUtcNow()), ResultExpiry, cancellationToken).ConfigureAwait(false);
                return;
            }
            var top = stack[0];
            var rest = stack.Skip(1).ToList();
            if (top.Then is { Count: > 0 } then)
            {
                var envelopes = new List<TaskEnvelope>();
                using var input = JsonDocument.Parse(resultJson);
                Build(new WorkflowNode { Chain = then }, input.RootElement, rest, seed, root, parent, envelopes);
                await publisher.SendAsync(envelopes, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (top.Join is not { } join) throw new JsonException("A workflow frame is neither the rest of a chain nor a group membership.");
            var all = await joins.JoinAsync(join, top.Index, top.Size, resultJson, ResultExpiry, cancellationToken).ConfigureAwait(false);
            if (all is null) return;
            stack = rest;
            resultJson = JoinArray(all);
            seed = WorkflowIds.Next(join);
            parent = join;
        }
    }

    private void Build(WorkflowNode node, JsonElement? input, IReadOnlyList<WorkflowFrame> stack, string seed, string root, string? parent, List<TaskEnvelope> into)
    {
        if (node.Task is { } task)
        {
            var args = node.Args ?? (node.Immutable ? EmptyArgs : input ?? EmptyArgs);
            var envelope = publisher.CreateEnvelope(task, args.Clone(), new EnqueueOptions { TaskId = WorkflowIds.For(seed), Queue = node.Queue });
            into.Add(envelope with
            {
                Root = root,
                Parent = parent,
                Group = stack.Count > 0 ? stack[0].Join : null,
                Chain = stack.Count == 0 ? null : JsonSerializer.SerializeToElement(stack.ToList(), WorkflowJson.Default.ListWorkflowFrame),
            });
        }
        else if (node.Chain is { Count: > 0 } chain)
        {
            var rest = chain.Skip(1).ToList();
            Build(chain[0], input, rest.Count == 0 ? stack : [new WorkflowFrame { Then = rest }, .. stack], seed, root, parent, into);
        }
        else if (node.Group is { Count: > 0 } group)
        {
            var join = WorkflowIds.Join(seed);
            for (var i = 0; i < group.Count; i++)
                Build(group[i], input, [new WorkflowFrame { Join = join, Index = i, Size = group.Count }, .. stack], WorkflowIds.Member(seed, i), root, parent, into);
        }
        else
        {
            throw new ArgumentException("A workflow node needs a task, a chain or a group.", nameof(node));
        }
    }

    private static IReadOnlyList<WorkflowFrame> ReadStack(TaskEnvelope envelope) =>
        envelope.Chain is { ValueKind: JsonValueKind.Array } chain
            ? chain.Deserialize(WorkflowJson.Default.ListWorkflowFrame) ?? []
            : [];

    private static string JoinArray(IReadOnlyList<string> items)
    {
        var builder = new StringBuilder("[");
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) builder.Append(',');
            builder.Append(items[i]);
        }
        return builder.Append(']').ToString();
    }
}
