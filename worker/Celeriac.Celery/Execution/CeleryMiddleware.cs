using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Celery.Protocol;
using Celeriac.Celery.Results;
using Celeriac.Celery.Transport;
using Celeriac.Envelope;
using Celeriac.Pipeline;

namespace Celeriac.Celery.Execution;

/// <summary>
/// What a Celery worker does around a task, for tasks that came in Celery messages: applies the message's time limits,
/// and once the outcome is final writes it to the Celery result backend and moves the canvas on, in Celery's order.
/// After a success: the callbacks with the result, then the chain's next step with the result, then the SUCCESS record,
/// then the chord join. After a final failure: the FAILURE record (also under every later step of the chain, so that
/// whoever waits on the chain's end learns of it), the chord join, then the errbacks with the task id. A retry records
/// RETRY; an expired or revoked task records REVOKED. It runs before the message is acknowledged, so a crash in between
/// repeats the step (at-least-once), and a failure to write propagates so that the message comes back.
/// </summary>
public sealed class CeleryMiddleware(CeleryCanvas canvas, ICeleryResultBackend backend, TimeProvider time) : ITaskMiddleware
{
    public async Task<Settlement> InvokeAsync(TaskExecution execution, TaskDelegate next)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(next);
        if (execution.Message.BrokerState is not CeleryDelivery { Message: var message }) return await next(execution).ConfigureAwait(false);
        if (message.TimeLimit is { } hard) execution.HardTimeLimit = hard;
        if (message.SoftTimeLimit is { } soft) execution.SoftTimeLimit = soft;
        var settlement = await next(execution).ConfigureAwait(false);
        var cancellation = CancellationToken.None;
        switch (settlement)
        {
            case Settlement.Succeeded succeeded:
                await SucceededAsync(execution, succeeded.Result, message, cancellation).ConfigureAwait(false);
                break;
            case Settlement.DeadLettered deadLettered:
                var failure = deadLettered.Failure is { } exception
                    ? CeleryException.From(exception)
                    : CeleryException.FromName("Celeriac.DeadLettered", deadLettered.Reason);
                await FailedAsync(message, CeleryStates.Failure, failure, deadLettered.Failure?.ToString(), cancellation).ConfigureAwait(false);
                break;
            case Settlement.Retry retry when !message.IgnoreResult:
                await StoreAsync(message, CeleryStates.Retry, CeleryException.From(retry.Failure), retry.Failure.ToString(), null, cancellation).ConfigureAwait(false);
                break;
            case Settlement.Discarded { Why: DiscardReason.Expired }:
                await FailedAsync(message, CeleryStates.Revoked, Revoked("expired"), null, cancellation).ConfigureAwait(false);
                break;
            case Settlement.Discarded:
                await FailedAsync(message, CeleryStates.Revoked, Revoked("revoked"), null, cancellation).ConfigureAwait(false);
                break;
        }
        return settlement;
    }

    private static JsonObject Revoked(string reason) => CeleryException.Create("TaskRevokedError", "celery.exceptions", reason);

    private async Task SucceededAsync(TaskExecution execution, object? value, CeleryTaskMessage message, CancellationToken cancellationToken)
    {
        var type = execution.Descriptor.ResultType;
        var result = type is null ? null : JsonSerializer.SerializeToNode(value, type, EnvelopeSerializer.ArgsOptions);
        var root = message.RootId ?? message.Id;
        var children = new JsonArray();
        foreach (var callback in message.Callbacks ?? [])
            foreach (var id in await canvas.ApplyAsync(CelerySignature.Parse(callback), [result?.DeepClone()], message.Id, root, null, cancellationToken).ConfigureAwait(false))
                children.Add(CeleryResultMeta.Child(id));
        if (message.Chain is { Count: > 0 } chain)
        {
            var rest = (JsonArray)chain.DeepClone();
            var step = rest[^1];
            rest.RemoveAt(rest.Count - 1);
            foreach (var id in await canvas.ApplyAsync(CelerySignature.Parse(step), [result?.DeepClone()], message.Id, root, rest.Count == 0 ? null : rest, cancellationToken).ConfigureAwait(false))
                children.Add(CeleryResultMeta.Child(id));
        }
        if (!message.IgnoreResult) await StoreAsync(message, CeleryStates.Success, result, null, children, cancellationToken).ConfigureAwait(false);
        await JoinChordAsync(message, CeleryStates.Success, result, cancellationToken).ConfigureAwait(false);
    }

    private async Task FailedAsync(CeleryTaskMessage message, string state, JsonObject exception, string? traceback, CancellationToken cancellationToken)
    {
        await StoreAsync(message, state, exception, traceback, null, cancellationToken).ConfigureAwait(false);
        await JoinChordAsync(message, state, exception, cancellationToken).ConfigureAwait(false);
        foreach (var item in message.Chain ?? [])
        {
            var step = CelerySignature.Parse(item);
            if (step.TaskId is { } stepId)
                await backend.StoreAsync(stepId, CeleryResultMeta.Create(stepId, state, exception.DeepClone(), traceback, null,
                    CeleryJson.String(step.Options["group_id"]), null, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        if (state != CeleryStates.Failure) return;
        var root = message.RootId ?? message.Id;
        foreach (var errback in message.Errbacks ?? [])
            await canvas.ApplyAsync(CelerySignature.Parse(errback), [message.Id], message.Id, root, null, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask StoreAsync(CeleryTaskMessage message, string state, JsonNode? result, string? traceback, JsonArray? children, CancellationToken cancellationToken) =>
        backend.StoreAsync(message.Id, CeleryResultMeta.Create(message.Id, state, result, traceback, children, message.Group, message.ParentId, time.GetUtcNow()), cancellationToken);

    /// <summary>
    /// For a member of a chord's header: records its outcome; the member that completes the header applies the callback
    /// with the members' results in order, or, when one of them failed, fails the callback with Celery's ChordError and
    /// calls the callback's errbacks.
    /// </summary>
    private async Task JoinChordAsync(CeleryTaskMessage message, string state, JsonNode? result, CancellationToken cancellationToken)
    {
        if (message.Chord is null || message.Group is not { } group) return;
        var parts = await backend.JoinChordAsync(group, message.Id, message.GroupIndex, state, result?.DeepClone(), cancellationToken).ConfigureAwait(false);
        if (parts is null) return;
        var callback = CelerySignature.Parse(message.Chord);
        var root = message.RootId ?? message.Id;
        if (parts.FirstOrDefault(p => CeleryStates.Propagates(p.State)) is { } failed)
        {
            var error = CeleryException.Create("ChordError", "celery.exceptions", $"Dependency {failed.TaskId} raised {CeleryException.Repr(failed.Result)}");
            if (callback.TaskId is { } callbackId)
            {
                await backend.StoreAsync(callbackId, CeleryResultMeta.Create(callbackId, CeleryStates.Failure, error, null, null, null, null, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
                foreach (var errback in CeleryJson.List(callback.Options["link_error"]) ?? [])
                    await canvas.ApplyAsync(CelerySignature.Parse(errback), [callbackId], callbackId, root, null, cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        var results = new JsonArray([.. parts.Select(p => p.Result?.DeepClone())]);
        await canvas.ApplyAsync(callback, [results], message.Id, root, null, cancellationToken).ConfigureAwait(false);
    }
}
