using System.Text.Json.Nodes;
using Celeriac.Brokers;
using Celeriac.Celery.Protocol;
using Celeriac.Celery.Results;
using Celeriac.Celery.Transport;

namespace Celeriac.Celery.Execution;

/// <summary>
/// Applies Celery signatures from a worker, as Celery's <c>signature.apply_async</c> does: one task, a chain (its first
/// task, carrying the rest), a group (each member with the group's id and its index) or a chord (the header's size
/// recorded, then each member carrying the callback). Messages go straight to the kombu transport: what a signature names
/// is a Celery queue whether or not this process declared it.
/// </summary>
public sealed class CeleryCanvas(ICeleryTransport transport, ICeleryResultBackend backend, CeleryRouting routing, TimeProvider time)
{
    /// <summary>Sends what applying <paramref name="signature"/> with <paramref name="args"/> sends; returns the ids of the tasks sent.</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(CelerySignature signature, JsonArray? args, string? parentId, string? rootId, JsonArray? chain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var messages = new List<OutgoingMessage>();
        var ids = new List<string>();
        await CollectAsync(signature, args, parentId, rootId, chain, messages, ids, cancellationToken).ConfigureAwait(false);
        if (messages.Count > 0) await transport.SendAsync(messages, cancellationToken).ConfigureAwait(false);
        return ids;
    }

    private async Task CollectAsync(CelerySignature signature, JsonArray? args, string? parentId, string? rootId, JsonArray? chain, List<OutgoingMessage> into, List<string> ids, CancellationToken cancellationToken)
    {
        switch (signature.SubtaskType)
        {
            case null:
                var (queue, message) = signature.ToMessage(args, parentId, rootId, chain, time.GetUtcNow(), routing.Route);
                into.Add(new OutgoingMessage(queue, message.Encode(queue).ToBytes()) { MessageId = message.Id });
                ids.Add(message.Id);
                break;
            case "chain":
                var steps = signature.Parts("tasks");
                if (steps.Count == 0) return;
                // The rest of this chain runs before the rest of the chain it is part of; the next step is the last item.
                var rest = chain is null ? new JsonArray() : (JsonArray)chain.DeepClone();
                for (var i = steps.Count - 1; i >= 1; i--) rest.Add(steps[i].Root.DeepClone());
                await CollectAsync(steps[0], args, parentId, rootId, rest.Count == 0 ? null : rest, into, ids, cancellationToken).ConfigureAwait(false);
                break;
            case "group":
                var members = signature.Parts("tasks");
                var groupId = signature.TaskId ?? Guid.NewGuid().ToString();
                for (var i = 0; i < members.Count; i++)
                    await CollectAsync(WithOptions(members[i], ("group_id", groupId), ("group_index", i)), args, parentId, rootId, null, into, ids, cancellationToken).ConfigureAwait(false);
                break;
            case "chord":
                var header = signature.Parts("header");
                var body = signature.ChordBody ?? throw new InvalidCeleryMessageException("a chord signature has no body");
                var chordId = CeleryJson.String(signature.Kwargs["header"]?["options"]?["task_id"]) ?? Guid.NewGuid().ToString();
                await backend.SetChordSizeAsync(chordId, header.Count, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < header.Count; i++)
                    await CollectAsync(WithOptions(header[i], ("group_id", chordId), ("group_index", i), ("chord", body.Root)), args, parentId, rootId, null, into, ids, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new InvalidCeleryMessageException($"signature type '{KombuMessage.Cut(signature.SubtaskType)}' cannot be applied");
        }
    }

    private static CelerySignature WithOptions(CelerySignature signature, params (string Name, JsonNode? Value)[] options)
    {
        var root = (JsonObject)signature.Root.DeepClone();
        if (root["options"] is not JsonObject target) root["options"] = target = [];
        foreach (var (name, value) in options) target[name] = value?.DeepClone();
        return CelerySignature.Parse(root);
    }
}
