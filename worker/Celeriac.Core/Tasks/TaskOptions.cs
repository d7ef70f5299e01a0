namespace Celeriac.Tasks;

/// <summary>
/// Per-task policy, bound from <c>Celeriac:Tasks:&lt;task name&gt;</c> (after the attribute and the code). Each feature
/// declares its own options in its folder as a part of this class (<c>Retries/TaskOptions.Retries.cs</c>, ...), so the
/// configuration keys stay flat (<c>Celeriac:Tasks:emails.send:MaxRetries</c>).
/// </summary>
public sealed partial class TaskOptions
{
    public string Queue { get; set; } = "default";

    /// <summary>Acknowledge after the task finishes (at-least-once). False acknowledges on receipt (at-most-once).</summary>
    public bool AcksLate { get; set; } = true;

    /// <summary>The args are secret: tools that show messages (<c>celeriac dead-letters list</c>) print "(masked)" instead.</summary>
    public bool MaskArgs { get; set; }
}
