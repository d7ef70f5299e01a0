using Celeriac.TaskIndex;
using Celeriac.Tasks;

namespace Celeriac.Progress;

/// <summary>
/// Where <see cref="TaskContext.ReportProgressAsync"/> goes: the task's record in the recent-tasks index (latest report
/// wins, written with the index's next batch), which <c>celeriac result</c>, <c>celeriac tasks</c> and the dashboard show.
/// </summary>
public sealed class TaskProgressRecorder(TaskIndexWriter writer, TimeProvider time) : ITaskProgress
{
    public const int MaxMessageLength = 200;

    public ValueTask ReportAsync(string taskId, string taskName, double fraction, string? message, CancellationToken cancellationToken)
    {
        if (message is { Length: > MaxMessageLength }) message = message[..MaxMessageLength] + "…";
        writer.RecordProgress(new TaskEvent(taskId, null, time.GetUtcNow()) { TaskName = taskName, Progress = fraction, ProgressMessage = message });
        return ValueTask.CompletedTask;
    }
}
