using Celeriac.Brokers;
using Celeriac.Client;
using Celeriac.Envelope;
using Celeriac.Observability;
using Celeriac.Pipeline;
using Celeriac.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Worker;

/// <summary>
/// Turns one leased message into one pipeline run and applies the settlement it returns to the broker. Poison messages
/// (unparseable, unknown task, args that do not bind) are dead-lettered with a reason; nothing here throws.
/// </summary>
public sealed partial class MessageDispatcher(
    IBroker broker,
    TaskRegistry registry,
    TaskPipeline pipeline,
    TaskPublisher publisher,
    AckBatcher acks,
    IServiceScopeFactory scopes,
    IEnumerable<ITaskObserver> observers,
    ILogger<MessageDispatcher> logger)
{
    private readonly ITaskObserver[] _observers = [.. observers];

    public async Task DispatchAsync(BrokerMessage message, CancellationToken workerAbort)
    {
        ArgumentNullException.ThrowIfNull(message);
        TaskEnvelope envelope;
        try
        {
            envelope = EnvelopeSerializer.Deserialize(message.Body.Span);
        }
        catch (InvalidEnvelopeException ex)
        {
            await RejectAsync(message, null, ex.Message).ConfigureAwait(false);
            return;
        }
        if (!registry.TryGet(envelope.Task, out var descriptor))
        {
            await RejectAsync(message, null, $"unknown task '{Quote(envelope.Task)}'").ConfigureAwait(false);
            return;
        }
        object args;
        try
        {
            args = descriptor.BindArgs(envelope.Args);
        }
        catch (Exception ex)
        {
            // Binding is deterministic: whatever fails here (the serializer, or the argument type's own
            // constructor validating its input) fails on every delivery, so it is poison, never a retry.
            var cause = ex is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : ex;
            await RejectAsync(message, descriptor.Name, $"args do not bind to {descriptor.ArgsType.Name}: {cause.Message}").ConfigureAwait(false);
            return;
        }

        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var execution = new TaskExecution(envelope, descriptor, args, message, scope.ServiceProvider, workerAbort, () => new ValueTask(acks.Enqueue(message)));
            Settlement settlement;
            try
            {
                settlement = await pipeline.RunAsync(execution).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogPipelineError(ex, envelope.Task, envelope.Id);
                settlement = new Settlement.Released(TimeSpan.FromSeconds(1), ReleaseReason.Interrupted);
            }
            await SettleAsync(execution, settlement).ConfigureAwait(false);
        }
    }

    /// <summary>Applies the settlement to the broker (checkpoint: a crash before this point redelivers the message).</summary>
    private async Task SettleAsync(TaskExecution execution, Settlement settlement)
    {
        var message = execution.Message;
        try
        {
            if (settlement is Settlement.Retry retry)
            {
                // Re-sent before this delivery is acknowledged: a crash in between runs the attempt twice, never loses it.
                await publisher.RepublishAsync(execution.Envelope with { Attempt = execution.Attempt + 1 }, retry.Delay, CancellationToken.None, execution.Trace).ConfigureAwait(false);
            }
            if (execution.AcknowledgedEarly)
            {
                if (settlement is Settlement.DeadLettered or Settlement.Released)
                    LogLostAfterEarlyAck(execution.TaskName, execution.TaskId, settlement.Outcome);
                return;
            }
            switch (settlement)
            {
                case Settlement.Released released:
                    await broker.ReleaseAsync(message, released.Delay, CancellationToken.None).ConfigureAwait(false);
                    break;
                case Settlement.DeadLettered dead:
                    await broker.DeadLetterAsync(message, dead.Reason, CancellationToken.None).ConfigureAwait(false);
                    break;
                default:
                    await acks.Enqueue(message).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception ex)
        {
            LogSettleFailed(ex, execution.TaskName, execution.TaskId, settlement.Outcome);
        }
    }

    /// <summary>A name from a message, cut so that a hostile one cannot flood the log and the dead letter.</summary>
    private static string Quote(string name) => name.Length <= MaxQuoted ? name : $"{name[..MaxQuoted]}… ({name.Length} characters)";

    private const int MaxQuoted = 200;
    private const int MaxReason = 2000;

    private async Task RejectAsync(BrokerMessage message, string? taskName, string reason)
    {
        if (reason.Length > MaxReason) reason = reason[..MaxReason] + "…";
        LogRejected(message.Queue, reason);
        foreach (var observer in _observers) observer.OnRejected(message, taskName, reason);
        try
        {
            await broker.DeadLetterAsync(message, reason, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogSettleFailed(ex, taskName ?? "?", "?", TaskOutcome.DeadLettered);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Dead-lettered a poison message from queue {Queue}: {Reason}")]
    private partial void LogRejected(string queue, string reason);

    [LoggerMessage(LogLevel.Error, "The pipeline failed for task {Task} {TaskId}; the message is returned")]
    private partial void LogPipelineError(Exception exception, string task, string taskId);

    [LoggerMessage(LogLevel.Warning, "Settling task {Task} {TaskId} as {Outcome} failed; the message returns when its lease expires")]
    private partial void LogSettleFailed(Exception exception, string task, string taskId, TaskOutcome outcome);

    [LoggerMessage(LogLevel.Error, "Task {Task} {TaskId} ended as {Outcome} after an early ack; its message is gone and cannot be returned or dead-lettered")]
    private partial void LogLostAfterEarlyAck(string task, string taskId, TaskOutcome outcome);
}
