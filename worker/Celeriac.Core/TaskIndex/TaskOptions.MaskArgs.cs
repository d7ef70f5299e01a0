namespace Celeriac.Tasks;

/// <summary>Whether a task type's args may be shown (<see cref="TaskIndex.TaskIndexRecorder"/>, the dashboard).</summary>
public sealed partial class TaskOptions
{
    /// <summary>The args are secret: the task index never stores them, and tools that show messages print "(masked)" instead.</summary>
    public bool MaskArgs { get; set; }
}
