namespace Celeriac.Operator.Model;

/// <summary>The scheduler's memory of one schedule (RFC 3339 UTC times, as metav1.Time).</summary>
public sealed class ScheduleStatus
{
    public string Name { get; set; } = "";
    public string? LastScheduleTime { get; set; }
    public string? LastTaskId { get; set; }
    public string? NextScheduleTime { get; set; }
}
