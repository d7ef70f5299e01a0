using System.Collections.Concurrent;
using Celeriac.Brokers;
using Celeriac.Observability;
using Celeriac.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Testing.InProcess;

/// <summary>An <see cref="ITaskObserver"/> that remembers every call.</summary>
public sealed class RecordingObserver : ITaskObserver
{
    public sealed record Finish(string TaskName, string TaskId, int Attempt, string Queue, TaskOutcome Outcome, Exception? Exception, string? DeadLetterReason, Settlement Settlement);

    public ConcurrentQueue<(string TaskName, string TaskId, int Attempt)> Started { get; } = new();
    public ConcurrentQueue<Finish> Finished { get; } = new();
    public ConcurrentQueue<(string Queue, string? TaskName, string Reason)> Rejected { get; } = new();

    public static RecordingObserver From(TestApp app) => app.Services.GetServices<ITaskObserver>().OfType<RecordingObserver>().Single();

    public void OnStarted(TaskExecution execution) => Started.Enqueue((execution.TaskName, execution.TaskId, execution.Attempt));

    public void OnFinished(TaskExecution execution, Settlement settlement, TimeSpan duration) =>
        Finished.Enqueue(new Finish(execution.TaskName, execution.TaskId, execution.Attempt, execution.Queue, settlement.Outcome, settlement.Error,
            (settlement as Settlement.DeadLettered)?.Reason, settlement));

    public void OnRejected(BrokerMessage message, string? taskName, string reason) => Rejected.Enqueue((message.Queue, taskName, reason));
}
