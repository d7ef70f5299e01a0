using Celeriac.Brokers;
using Celeriac.Envelope;
using Celeriac.Observability;
using Celeriac.Pipeline;
using Celeriac.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Celeriac.Worker;

/// <summary>
/// Turns one leased message into one pipeline run and settles it with the broker. Poison messages
/// (unparseable, unknown task, args that do not bind) are dead-lettered with a reason; nothing here throws.
/// </summary>
public sealed partial class MessageDispatcher(
    IBroker broker,
    TaskRegistry registry,
    TaskPipeline pipeline,
    AckBatcher acks,
    IServiceScopeFactory scopes,
    IEnumerable<ITaskObserver> observers,
    ILogger<MessageDispatcher> logger)
{
    private readonly ITaskObserver[] _observers = [.. observers];

    public async Task DispatchAsync(BrokerMessage message, CancellationToken workerAbort)
    {
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
            var context = new TaskContext(envelope, descriptor, args, message, scope.ServiceProvider, workerAbort);
            try
            {
                await pipeline.RunAsync(context).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogPipelineError(ex, envelope.Task, envelope.Id);
                context.Release(TimeSpan.FromSeconds(1));
            }
            await SettleAsync(context).ConfigureAwait(false);
        }
    }

    private async Task SettleAsync(TaskContext context)
    {
        if (context.Settled)
        {
            if (context.Disposition == Disposition.DeadLetter)
                LogLostAfterEarlyAck(context.TaskName, context.TaskId, context.DeadLetterReason);
            return;
        }
        try
        {
            switch (context.Disposition)
            {
                case Disposition.Ack:
                    await acks.Enqueue(context.Message).ConfigureAwait(false);
                    break;
                case Disposition.Release:
                    await broker.ReleaseAsync(context.Message, context.ReleaseDelay, CancellationToken.None).ConfigureAwait(false);
                    break;
                case Disposition.DeadLetter:
                    await broker.DeadLetterAsync(context.Message, context.DeadLetterReason ?? "dead-lettered", CancellationToken.None).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception ex)
        {
            LogSettleFailed(ex, context.TaskName, context.TaskId, context.Disposition);
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
            LogSettleFailed(ex, taskName ?? "?", "?", Disposition.DeadLetter);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Dead-lettered a poison message from queue {Queue}: {Reason}")]
    private partial void LogRejected(string queue, string reason);

    [LoggerMessage(LogLevel.Error, "The pipeline failed for task {Task} {TaskId}; the message is returned")]
    private partial void LogPipelineError(Exception exception, string task, string taskId);

    [LoggerMessage(LogLevel.Warning, "Settling task {Task} {TaskId} as {Disposition} failed; the message returns when its lease expires")]
    private partial void LogSettleFailed(Exception exception, string task, string taskId, Disposition disposition);

    [LoggerMessage(LogLevel.Error, "Task {Task} {TaskId} failed after an early ack; it cannot be dead-lettered: {Reason}")]
    private partial void LogLostAfterEarlyAck(string task, string taskId, string? reason);
}
