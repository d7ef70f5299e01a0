using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Celery.Binding;
using Celeriac.Celery.Protocol;
using Celeriac.Envelope;
using Celeriac.Tasks;
using Celeriac.Workflows;

namespace Celeriac.Celery.Transport;

/// <summary>
/// Celery task messages to Celeriac envelopes and back, at the edge of the broker, so that the worker, the pipeline and
/// the client see envelopes only. An envelope made from a Celery message carries that message in the
/// <see cref="MessageHeader"/> header, so that a retry re-sends it as Celery does: the same message with
/// <c>retries + 1</c> and an <c>eta</c>.
/// </summary>
public static class CeleryEnvelopes
{
    /// <summary>The envelope header holding the kombu message an envelope was made from.</summary>
    public const string MessageHeader = "celery-message";

    /// <summary>
    /// The envelope of a received Celery message. Args and kwargs are bound to the argument record of the Celeriac task of
    /// that name (throws <see cref="ArgumentBindingException"/> when they cannot be); a task not registered here gets no
    /// args, and the worker dead-letters it as unknown.
    /// </summary>
    public static TaskEnvelope ToEnvelope(CeleryTaskMessage message, ReadOnlySpan<byte> kombuMessage, string queue, TaskRegistry registry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(registry);
        var args = registry.TryGet(message.Task, out var descriptor)
            ? CeleryArguments.ToArgs(descriptor.ArgsType, message.Args, message.Kwargs)
            : default;
        return new TaskEnvelope
        {
            Id = message.Id,
            Task = message.Task,
            Args = args,
            Queue = queue,
            Attempt = message.Retries,
            Eta = message.Eta,
            Expires = message.Expires,
            Created = now,
            Headers = new Dictionary<string, string>(StringComparer.Ordinal) { [MessageHeader] = Encoding.UTF8.GetString(kombuMessage) },
        };
    }

    /// <summary>
    /// The Celery message for an envelope sent to a Celery queue. One made from a Celery message is that message again,
    /// with the envelope's attempt as <c>retries</c> and its due time as <c>eta</c>. A new one is a protocol 2 message whose
    /// args come from the envelope's (<see cref="CeleryArguments.FromArgs"/>); a workflow step carries the rest of its
    /// chain as Celery's <c>chain</c>, the last step under the workflow's id, where Celery and Celeriac handles look.
    /// </summary>
    public static CeleryTaskMessage ToCelery(TaskEnvelope envelope, CeleryRouting routing)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(routing);
        if (envelope.GetHeader(MessageHeader) is { } original)
        {
            var message = CeleryTaskMessage.Decode(KombuMessage.Parse(Encoding.UTF8.GetBytes(original)));
            return message with { Retries = envelope.Attempt, Eta = envelope.Eta };
        }
        var (args, kwargs) = CeleryArguments.FromArgs(envelope.Args);
        var chain = envelope.Root is null ? null : Chain(envelope, routing);
        var id = envelope.Root is { } root && chain is null ? root : envelope.Id;
        return new CeleryTaskMessage
        {
            Id = id,
            Task = envelope.Task,
            Args = args,
            Kwargs = kwargs,
            Headers = new JsonObject { ["lang"] = "dotnet" },
            Retries = envelope.Attempt,
            Eta = envelope.Eta,
            Expires = envelope.Expires,
            RootId = envelope.Root ?? id,
            ParentId = envelope.Parent,
            Chain = chain,
        };
    }

    /// <summary>The rest of a Celeriac workflow as Celery's chain (last step first), or null when this step is the last.</summary>
    private static JsonArray? Chain(TaskEnvelope envelope, CeleryRouting routing)
    {
        if (envelope.Chain is not { ValueKind: JsonValueKind.Array } stack) return null;
        var frames = stack.Deserialize<List<WorkflowFrame>>() ?? [];
        var steps = new List<WorkflowNode>();
        foreach (var frame in frames)
        {
            if (frame.Join is not null)
                throw new NotSupportedException($"Task {envelope.Task} {envelope.Id} is a group member of a workflow; a workflow group cannot continue on a Celery queue (Celery joins groups itself).");
            foreach (var node in frame.Then ?? []) Flatten(node, steps);
        }
        if (steps.Count == 0) return null;
        var chain = new JsonArray();
        for (var i = steps.Count - 1; i >= 0; i--)
        {
            var node = steps[i];
            var queue = node.Queue ?? routing.Route(node.Task!);
            if (!routing.IsCeleryQueue(queue) && node.Queue is not null)
                throw new NotSupportedException($"Step {node.Task} of workflow {envelope.Root} is on queue '{queue}', which is not a Celery queue; once a workflow reaches a Celery queue, Celery carries it, so its later steps must be on Celery queues too.");
            var fixedArgs = node.Args is { } given ? CeleryArguments.FromArgs(given) : ([], []);
            var options = new JsonObject
            {
                ["task_id"] = i == steps.Count - 1 ? envelope.Root : StepId(envelope.Id, i),
                ["queue"] = queue,
            };
            chain.Add(CelerySignature.Create(node.Task!, fixedArgs.Item1, fixedArgs.Item2, options, immutable: node.Args is not null || node.Immutable));
        }
        return chain;
    }

    private static void Flatten(WorkflowNode node, List<WorkflowNode> into)
    {
        if (node.Task is not null) into.Add(node);
        else if (node.Chain is { } chain) foreach (var step in chain) Flatten(step, into);
        else throw new NotSupportedException("A workflow group cannot be carried on a Celery queue; Celery's own chords do that from Python.");
    }

    /// <summary>A step's id, derived from the step that sent the chain, so that a re-send gives the same ids.</summary>
    private static string StepId(string sender, int index)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(sender + "/celery/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture)), hash);
        return new Guid(hash[..16]).ToString();
    }
}
